import Link from "next/link";
import type { Route } from "next";
import type { ZoneChoice } from "@/lib/domain/reporting-zone";
import { zoneChoices } from "./filter-notices";

/**
 * The reporting-zone switch for pages without the full filter bar: links, so
 * it works without JavaScript and keeps the choice in the URL (`?tz=`).
 */
export function ZoneSwitch({ current, orgTimeZone, teamTimeZone, path }: { current: ZoneChoice; orgTimeZone: string; teamTimeZone?: string | null; path: string }) {
  return (
    <nav aria-label="Time zone" data-print="hide" className="mb-4 flex flex-wrap items-center gap-1 text-sm">
      <span className="mr-1 text-xs font-medium text-slate-600">Time zone</span>
      {zoneChoices({ orgTimeZone, teamTimeZone }).map((z) => (
        <Link
          key={z.choice}
          href={`${path}${z.choice === "org" ? "?" : `?tz=${z.choice}`}` as Route}
          aria-current={z.choice === current ? "true" : undefined}
          className={`rounded-md px-2.5 py-1 ${z.choice === current ? "bg-slate-900 text-white" : "border border-slate-300 hover:bg-slate-100"}`}
        >
          {z.label}
        </Link>
      ))}
    </nav>
  );
}
