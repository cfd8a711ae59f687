import type { ReactNode } from "react";

/** The centered card the signed-out pages (sign-in, first run, invitation) share. */
export function AuthShell({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <div className="mx-auto mt-6 w-full max-w-sm sm:mt-16">
      <div className="mb-5 flex items-center justify-center gap-2 text-lg font-semibold tracking-tight">
        <span aria-hidden="true" className="inline-block h-3.5 w-3.5 rounded-sm bg-orange-500" />
        Burnrate
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-xs">
        <h1 className="text-base font-semibold text-slate-900">{title}</h1>
        {description ? <div className="mt-1 text-sm text-slate-600">{description}</div> : null}
        <div className="mt-4">{children}</div>
      </section>
    </div>
  );
}
