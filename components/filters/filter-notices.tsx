import type { FilterNotice } from "@/lib/validation/dashboard-filters";

/** What the URL asked for that the view did not apply, each naming its parameter. */
export function FilterNotices({ notices }: { notices: FilterNotice[] }) {
  if (notices.length === 0) return null;
  return (
    <div role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <p className="font-medium">Some filters in the address were not applied:</p>
      <ul className="mt-1 list-disc pl-5">
        {notices.map((n, i) => (
          <li key={`${n.param}-${i}`} data-param={n.param}>
            {n.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The reporting zones a view can switch between, each named with its IANA zone. */
export function zoneChoices({ orgTimeZone, teamTimeZone }: { orgTimeZone: string; teamTimeZone?: string | null }) {
  return [
    { choice: "org" as const, label: `Org · ${orgTimeZone}` },
    ...(teamTimeZone ? [{ choice: "team" as const, label: `Team · ${teamTimeZone}` }] : []),
    { choice: "utc" as const, label: "UTC" },
  ];
}
