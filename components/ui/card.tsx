import type { ReactNode } from "react";

export function Card({ title, children, className = "" }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white ${className}`}>
      {title ? <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-800">{title}</h2> : null}
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  const id = `stat-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    // A size container: the figure's size follows the card's width, so a
    // dollar amount fits a quarter of a laptop screen or half of a phone's.
    <div role="group" aria-labelledby={id} className="@container min-w-0 rounded-lg border border-slate-200 bg-white px-3 py-3 sm:px-4">
      <div id={id} className="text-xs font-medium uppercase tracking-wide text-slate-500">
        {label}
      </div>
      <div data-stat-value className="mt-1 text-lg font-semibold tabular-nums wrap-anywhere @[10rem]:text-xl @[13rem]:text-2xl">
        {value}
      </div>
      {hint ? <div className="mt-0.5 text-xs text-slate-500">{hint}</div> : null}
    </div>
  );
}
