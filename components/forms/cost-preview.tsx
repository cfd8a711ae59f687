import type { PreviewLine } from "@/lib/domain/run-cost-preview";

export type { PreviewLine };

/**
 * The figures a record will add, computed in the browser with the same pure
 * engine functions the dashboards use, so a wrong unit shows before saving.
 */
export function CostPreview({ title, lines, warnings = [], empty }: { title: string; lines: PreviewLine[]; warnings?: string[]; empty?: string }) {
  return (
    <section aria-labelledby="cost-preview-title" aria-live="polite" className="rounded-lg border border-slate-200 bg-white">
      <h2 id="cost-preview-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-800">
        {title}
      </h2>
      {lines.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">{empty ?? "Fill in the fields to see the cost."}</p>
      ) : (
        <dl className="divide-y divide-slate-100 px-4">
          {lines.map((line) => (
            // dt and dd directly in the div (a valid dl group); the grid puts the value beside the label.
            <div key={line.label} className="grid grid-cols-[1fr_auto] items-baseline gap-x-3 py-2">
              <dt className={`text-sm ${line.isTotal ? "font-semibold text-slate-900" : "text-slate-600"}`}>{line.label}</dt>
              <dd data-preview={line.label} className={`text-right tabular-nums ${line.isTotal ? "text-lg font-semibold text-slate-900" : "text-sm font-medium text-slate-800"}`}>
                {line.value}
              </dd>
              {line.how ? <dd className="col-span-2 mt-0.5 text-xs text-slate-500">{line.how}</dd> : null}
            </div>
          ))}
        </dl>
      )}
      {warnings.length > 0 ? (
        <ul className="space-y-1 border-t border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-900">
          {warnings.map((warning) => (
            <li key={warning}>⚠ {warning}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
