"use client";

import { buttonClass } from "@/components/ui/button";

/** Opens the browser's print dialog (where "Save as PDF" is a destination). Never printed itself. */
export function PrintButton() {
  return (
    <button type="button" data-print="hide" className={buttonClass("secondary")} onClick={() => window.print()}>
      Print / Save as PDF
    </button>
  );
}
