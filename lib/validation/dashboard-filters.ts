import { z } from "zod";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { calendarMonth, lastDays, monthToDate } from "@/lib/domain/date-ranges";
import { ZONE_CHOICES, type ZoneChoice } from "@/lib/domain/reporting-zone";
import type { TimeRange } from "@/lib/domain/time-range";

/**
 * Dashboard filters live in the URL (?range=30d&team=research&model=…&gpu=…&tz=team),
 * so a link reproduces the view and back/forward work. Every parameter is
 * checked here before anything reaches the database: a value that is not
 * valid is left unapplied and reported as a notice naming the parameter,
 * never silently replaced and never a 500.
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

/** The calendar dates a custom range may use. */
export const MIN_DATE = "2000-01-01";
export const MAX_DATE = "2100-12-31";
const MAX_PARAM_LENGTH = 200;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use a date as YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "is not a calendar date")
  .refine((d) => d >= MIN_DATE && d <= MAX_DATE, `must be between ${MIN_DATE} and ${MAX_DATE}`);

export const paramSchemas = {
  range: z.enum(RANGE_PRESETS, { error: `must be one of ${RANGE_PRESETS.join(", ")}` }),
  from: isoDate,
  to: isoDate,
  team: z.string().max(64, "is too long").regex(/^[a-z0-9-]+$/, "is not a team slug (lowercase letters, digits and -)"),
  model: z
    .string()
    .max(MAX_PARAM_LENGTH, "is too long")
    .refine((m) => !/[\u0000-\u001f\u007f]/.test(m), "contains control characters")
    .refine((m) => m.trim().length > 0, "is empty"),
  gpu: z.string().regex(/^[1-9]\d{0,8}$/, "is not a GPU type id").transform(Number),
  tz: z.enum(ZONE_CHOICES, { error: "must be org, team or utc" }),
} as const;

type ParamName = keyof typeof paramSchemas;

export interface DashboardFilters {
  range: RangePreset;
  from?: string;
  to?: string;
  team?: string;
  model?: string;
  gpu?: number;
  tz: ZoneChoice;
}

/** A URL parameter that was not applied, and why, for the page to show. */
export interface FilterNotice {
  param: string;
  message: string;
}

const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);

/**
 * Reads the filters from search params. `defaults.range` is the page's preset.
 * A From or To date switches the range to custom (From alone runs through
 * today); reversed dates and dates outside 2000–2100 are refused by name.
 */
export function parseDashboardFilters(
  searchParams: Record<string, string | string[] | undefined>,
  defaults: { range: RangePreset } = { range: "30d" },
): { filters: DashboardFilters; notices: FilterNotice[] } {
  const notices: FilterNotice[] = [];
  const read = <K extends ParamName>(name: K): z.output<(typeof paramSchemas)[K]> | undefined => {
    const raw = one(searchParams[name]);
    if (raw === undefined || raw === "") return undefined;
    if (typeof raw !== "string") return undefined;
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
    const parsed = paramSchemas[name].safeParse(raw);
    if (!parsed.success) {
      notices.push({ param: name, message: `${name} "${shown.replace(/[\u0000-\u001f\u007f]/g, "�")}" ${parsed.error.issues[0]?.message ?? "is not valid"}; it was not applied.` });
      return undefined;
    }
    return parsed.data as z.output<(typeof paramSchemas)[K]>;
  };
  const filters: DashboardFilters = { range: read("range") ?? defaults.range, tz: read("tz") ?? "org" };
  const from = read("from");
  const to = read("to");
  const team = read("team");
  const model = read("model");
  const gpu = read("gpu");
  if (team !== undefined) filters.team = team;
  if (model !== undefined) filters.model = model;
  if (gpu !== undefined) filters.gpu = gpu;
  const refusedDate = notices.some((n) => n.param === "from" || n.param === "to");
  if (refusedDate) {
    if (from !== undefined || to !== undefined) notices.push({ param: from === undefined ? "to" : "from", message: "A custom range needs both dates valid; neither date was applied." });
  } else if (from !== undefined || to !== undefined) {
    if (from === undefined) {
      notices.push({ param: "from", message: "from is missing: a custom range needs a From date; the To date was not applied." });
    } else if (to !== undefined && from > to) {
      notices.push({ param: "to", message: `to ${to} is before from ${from}; the dates were not applied.` });
    } else {
      filters.range = "custom";
      filters.from = from;
      if (to !== undefined) filters.to = to;
    }
  }
  if (filters.range === "custom" && filters.from === undefined) {
    notices.push({ param: "range", message: "range custom needs From and To dates; showing the page's default range." });
    filters.range = defaults.range === "custom" ? "30d" : defaults.range;
  }
  return { filters, notices };
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

/** The filters' time range: whole local days in `timeZone`, never empty (a From after today shows that one day). */
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
      // parseDashboardFilters only lets a custom range through with a valid From.
      const start = localDateStart(filters.from ?? MIN_DATE, timeZone);
      const lastDay = filters.to ? localDateStart(filters.to, timeZone) : lastDays({ now, days: 1, timeZone }).start;
      const end = bucketsBetween({ from: lastDay, to: new Date(lastDay.getTime() + 1), unit: "day", timeZone })[0]!.end;
      return end.getTime() > start.getTime() ? { start, end } : { start, end: bucketsBetween({ from: start, to: new Date(start.getTime() + 1), unit: "day", timeZone })[0]!.end };
    }
    case "30d":
      return lastDays({ now, days: 30, timeZone });
  }
}

/** Search params for a link: the current filters with some values changed (undefined removes one). */
export function filtersToSearch(filters: Partial<DashboardFilters>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "" && !(key === "tz" && value === "org")) params.set(key, String(value));
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
