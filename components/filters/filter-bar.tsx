"use client";

import type { FilterOptions } from "@/lib/db/queries/catalog";
import { useFilterNavigation } from "./use-filter-navigation";
import { MAX_DATE, MIN_DATE, RANGE_LABELS, RANGE_PRESETS, type DashboardFilters } from "@/lib/validation/dashboard-filters";
import type { ZoneChoice } from "@/lib/domain/reporting-zone";

/**
 * Filters as a GET form: the URL holds them, so links reproduce a view and
 * back/forward work, with or without JavaScript. With it, a change applies at
 * once as a client-side navigation.
 */
export function FilterBar({
  filters,
  options,
  show = { team: true, model: true, gpu: true },
  keep = {},
  zones,
}: {
  filters: DashboardFilters;
  /** Choices for the team, model and GPU selects (not needed when they are hidden). */
  options?: FilterOptions;
  show?: { team?: boolean; model?: boolean; gpu?: boolean };
  /** Other search params to carry along (e.g. sort order). */
  keep?: Record<string, string>;
  /** The reporting zones this view can switch between, with their IANA names. */
  zones: { choice: ZoneChoice; label: string }[];
}) {
  const { onSubmit, onChange: submit, onDateChange, isPending } = useFilterNavigation();
  // Two fields a row on a phone (grid), side by side from sm up (flex).
  const field = "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 sm:w-auto";
  return (
    <form method="get" role="search" aria-label={show.team || show.model || show.gpu ? "Filters" : "Date range"} onSubmit={onSubmit} aria-busy={isPending} data-print="hide" className="mb-4 grid grid-cols-2 items-end gap-3 sm:flex sm:flex-wrap">
      {Object.entries(keep).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        Range
        <select name="range" defaultValue={filters.range} onChange={submit} className={field}>
          {RANGE_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {RANGE_LABELS[preset]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        From
        <input type="date" name="from" defaultValue={filters.from} min={MIN_DATE} max={MAX_DATE} onChange={onDateChange} className={field} />
      </label>
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        To
        <input type="date" name="to" defaultValue={filters.to} min={MIN_DATE} max={MAX_DATE} onChange={onDateChange} className={field} />
      </label>
      {show.team ? (
        <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
          Team
          <select name="team" defaultValue={filters.team ?? ""} onChange={submit} className={field}>
            <option value="">All teams</option>
            {options?.teams.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {show.model ? (
        <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
          Model
          <select name="model" defaultValue={filters.model ?? ""} onChange={submit} className={`${field} max-w-56`}>
            <option value="">All models</option>
            {options?.models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {show.gpu ? (
        <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
          GPU type
          <select name="gpu" defaultValue={filters.gpu ?? ""} onChange={submit} className={field}>
            <option value="">All GPUs</option>
            {options?.gpuTypes.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        Time zone
        <select name="tz" defaultValue={filters.tz} onChange={submit} className={field}>
          {zones.map((z) => (
            <option key={z.choice} value={z.choice}>
              {z.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Apply
      </button>
      <span aria-live="polite" className="self-center text-xs text-slate-500">
        {isPending ? "Updating figures…" : ""}
      </span>
    </form>
  );
}
