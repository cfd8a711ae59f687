import type { ReactNode } from "react";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-0.5 text-sm text-slate-600">{description}</p> : null}
      </div>
      {/* Actions (links styled as buttons) mean nothing on paper. */}
      {actions ? (
        <div data-print="hide" className="flex items-center gap-2">
          {actions}
        </div>
      ) : null}
    </header>
  );
}
