import type { ReactNode } from "react";

export interface Definition {
  term: string;
  value: ReactNode;
  /** How the value was computed, shown beneath it. */
  how?: ReactNode;
}

export function DefinitionList({ items }: { items: Definition[] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-3 px-4 py-3 sm:grid-cols-2 lg:grid-cols-3">
      {items.map((item) => (
        <div key={item.term}>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{item.term}</dt>
          <dd className="mt-0.5 text-sm font-medium tabular-nums text-slate-900">{item.value}</dd>
          {item.how ? <dd className="mt-0.5 text-xs text-slate-500">{item.how}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
