/**
 * Series colors. Okabe–Ito's color-blind-safe qualitative palette (Okabe &
 * Ito, "Color Universal Design", 2008), ordered so the first few series are
 * the most distinct from one another, without its black (which reads as an
 * axis). "Other" is a neutral slate so it never looks like a real series.
 *
 * A series' color is chosen by its rank in the prepared data, never by
 * render order or hashing, so the same data always gets the same colors.
 */
export const SERIES_COLORS = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#D55E00", // vermillion
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#F0E442", // yellow (last: weakest contrast on white)
] as const;

/** Tailwind slate-400: neutral, and lighter than every palette color but yellow. */
export const OTHER_COLOR = "#94a3b8";

/**
 * Named series a chart draws at most: one per palette color, so no two
 * series share a color. Sums beyond this are folded into "Other".
 */
export const MAX_NAMED_SERIES = SERIES_COLORS.length;

export function seriesColor({ rank, isOther }: { rank: number; isOther: boolean }): string {
  if (isOther) return OTHER_COLOR;
  if (!Number.isInteger(rank) || rank < 0 || rank >= SERIES_COLORS.length) {
    throw new RangeError(`No palette color for series rank ${rank}; fold extra series into "Other" first`);
  }
  return SERIES_COLORS[rank] ?? OTHER_COLOR;
}
