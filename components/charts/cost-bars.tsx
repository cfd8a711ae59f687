import type { TopItem } from "@/lib/db/queries/dashboards";
import { formatUsd } from "@/lib/domain/money";
import { EmptyState } from "@/components/ui/empty-state";

/** Horizontal bars of cost per item (GPU type, model), largest first, exact amounts as text. */
export function CostBars({ items, emptyTitle = "No GPU cost in this range" }: { items: TopItem[]; emptyTitle?: string }) {
  if (items.length === 0) return <EmptyState title={emptyTitle} />;
  const max = items.reduce((m, i) => (i.costCents > m ? i.costCents : m), 0n);
  return (
    <ul data-print="color" className="space-y-2 p-4">
      {items.map((item) => {
        const width = max > 0n ? Number((item.costCents * 1000n) / max) / 10 : 0;
        return (
          <li key={item.key} className="text-sm">
            <div className="flex justify-between gap-2">
              <span className="font-medium">{item.label}</span>
              <span className="tabular-nums">{formatUsd({ cents: item.costCents })}</span>
            </div>
            <div className="mt-1 h-2 rounded bg-slate-100" aria-hidden="true">
              <div className="h-2 rounded bg-[#0072B2]" style={{ width: `${width}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
