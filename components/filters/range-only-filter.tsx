"use client";

import { RANGE_LABELS, RANGE_PRESETS, type DashboardFilters } from "@/lib/validation/dashboard-filters";
import { useFilterNavigation } from "./use-filter-navigation";

/** The date-range part of the filters, for pages about one record. */
export function RangeOnlyFilter({ filters }: { filters: DashboardFilters }) {
  const field = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900";
  const { onSubmit, onChange } = useFilterNavigation();
  return (
    <form method="get" role="search" aria-label="Date range" onSubmit={onSubmit} className="mb-4 flex flex-wrap items-end gap-3">
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        Range
        <select
          name="range"
          defaultValue={filters.range}
          onChange={onChange}
          className={field}
        >
          {RANGE_PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {RANGE_LABELS[preset]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        From
        <input type="date" name="from" defaultValue={filters.from} className={field} />
      </label>
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600">
        To
        <input type="date" name="to" defaultValue={filters.to} className={field} />
      </label>
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Apply
      </button>
    </form>
  );
}
