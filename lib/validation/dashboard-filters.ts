import { z } from "zod";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { calendarMonth, lastDays, monthToDate } from "@/lib/domain/date-ranges";
import type { TimeRange } from "@/lib/domain/time-range";

/**
 * Dashboard filters live in the URL (?range=30d&team=research&model=…&gpu=…),
 * so a link reproduces the view and back/forward work. Unknown or malformed
 * values fall back to the defaults instead of failing the page; the parsed
 * result says which value was ignored so the page can tell the user.
 */
export const RANGE_PRESETS = ["mtd", "last-month", "7d", "30d", "90d", "custom"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const RANGE_LABELS: Record<RangePreset, string> = {
  mtd: "This month",
  "last-month": "Last month",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  custom: "Custom",
};

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");
const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);

export const dashboardFiltersSchema = z.object({
  range: z.enum(RANGE_PRESETS).catch("30d"),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  team: z.string().trim().min(1).max(64).regex(/^[a-z0-9-]+$/).optional().catch(undefined),
  model: z.string().trim().min(1).max(200).optional().catch(undefined),
  gpu: z.coerce.number().int().positive().optional().catch(undefined),
});

export type DashboardFilters = z.infer<typeof dashboardFiltersSchema>;

export function parseDashboardFilters(searchParams: Record<string, string | string[] | undefined>): DashboardFilters {
  const raw = Object.fromEntries(Object.entries(searchParams).map(([k, v]) => [k, one(v)]));
  return dashboardFiltersSchema.parse(raw);
}

/** The first instant of a local calendar date in a zone. */
function localDateStart(date: string, timeZone: string): Date {
  // Noon UTC of that date is inside the local day for every zone (offsets are within ±14 h).
  const noon = new Date(`${date}T12:00:00Z`);
  return bucketsBetween({ from: noon, to: new Date(noon.getTime() + 1), unit: "day", timeZone })[0]!.start;
}

const DAY_MS = 86_400_000;

/** A granularity that keeps charts readable: hours up to 2 days, days up to ~3 months, then weeks. */
export function unitForRange(range: TimeRange): BucketUnit {
  const days = (range.end.getTime() - range.start.getTime()) / DAY_MS;
  if (days <= 2) return "hour";
  if (days <= 95) return "day";
  if (days <= 400) return "week";
  return "month";
}

/** The filters' time range: whole local days in `timeZone`, never empty. */
export function resolveRange({ filters, now, timeZone }: { filters: DashboardFilters; now: Date; timeZone: string }): TimeRange {
  switch (filters.range) {
    case "mtd":
      return monthToDate({ now, timeZone });
    case "last-month":
      return calendarMonth({ now, timeZone, offset: 1 });
    case "7d":
      return lastDays({ now, days: 7, timeZone });
    case "90d":
      return lastDays({ now, days: 90, timeZone });
    case "custom": {
      if (filters.from && filters.to && filters.from <= filters.to) {
        const start = localDateStart(filters.from, timeZone);
        const lastDay = localDateStart(filters.to, timeZone);
        const end = bucketsBetween({ from: lastDay, to: new Date(lastDay.getTime() + 1), unit: "day", timeZone })[0]!.end;
        if (end.getTime() - start.getTime() <= 3 * 366 * DAY_MS) return { start, end };
      }
      return lastDays({ now, days: 30, timeZone });
    }
    case "30d":
      return lastDays({ now, days: 30, timeZone });
  }
}

/** Search params for a link: the current filters with some values changed (undefined removes one). */
export function filtersToSearch(filters: Partial<DashboardFilters>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  if (params.get("range") !== "custom") {
    params.delete("from");
    params.delete("to");
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const RUN_SORT_KEYS = ["started", "name", "team", "model", "gpuHours", "cost", "perToken", "mfu"] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export const tableParamsSchema = z.object({
  sort: z.enum(RUN_SORT_KEYS).catch("started"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export type TableParams = z.infer<typeof tableParamsSchema>;

export function parseTableParams(searchParams: Record<string, string | string[] | undefined>): TableParams {
  return tableParamsSchema.parse(Object.fromEntries(Object.entries(searchParams).map(([k, v]) => [k, one(v)])));
}
