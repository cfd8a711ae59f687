/**
 * The heading of a printed report: who it is about, what it is, in which
 * reporting zone its figures are, and when it was generated. Hidden on
 * screen (the page has its own header there); printed above the content of
 * the first page. Every string comes ready-made from the page, e.g.
 *
 *   <PrintHeader
 *     title="Monthly cost report · 2026-10"
 *     subject={viewer.orgName}
 *     zoneLabel={view.zone.label}
 *     generatedAt={formatDateTime({ instant: now, timeZone: view.zone.timeZone })}
 *   />
 *
 * Page numbers are not here: the @page margin boxes in app/globals.css
 * print "Page N of M" on every page.
 */
export function PrintHeader({ title, subject, zoneLabel, generatedAt }: { title: string; subject: string; zoneLabel: string; generatedAt: string }) {
  // "America/Los_Angeles (org)" reads "(America/Los_Angeles, org)" in parentheses.
  const zoneInParentheses = zoneLabel.replace(/^(.+) \((.+)\)$/, "$1, $2");
  return (
    <div data-print-header="" className="mb-4 hidden border-b border-slate-400 pb-2 print:block">
      <div className="flex items-baseline justify-between gap-4 text-[9pt] text-slate-600">
        <p className="font-medium uppercase tracking-wide">{subject}</p>
        <p className="shrink-0">Burnrate</p>
      </div>
      <p className="mt-1 text-[16pt] font-semibold leading-tight text-slate-900">{title}</p>
      <div className="mt-1 flex flex-wrap justify-between gap-x-4 text-[9pt] text-slate-600">
        <p>Reporting time zone: {zoneLabel}</p>
        <p>
          Generated {generatedAt} ({zoneInParentheses})
        </p>
      </div>
    </div>
  );
}
