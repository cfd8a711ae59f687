import type { ReactNode } from "react";

/**
 * A box whose content (a wide table) may scroll sideways inside it, so the
 * page never does. It is a named region in the tab order so keyboard users
 * can scroll it with the arrow keys (axe: scrollable-region-focusable).
 * `relative` makes it the containing block of the sr-only (absolutely
 * positioned) text in its cells: without it that text is placed against the
 * page, escapes the clipping and widens the page on a phone. Edge shadows
 * show that more columns are hidden to the side. In print (app/globals.css)
 * it shows all its content: no clipping, no shadows.
 */
export function ScrollRegion({ label, children, className = "" }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={`scroll-shadows-x relative max-w-full overflow-x-auto focus-visible:-outline-offset-2 ${className}`}>
      {children}
    </div>
  );
}
