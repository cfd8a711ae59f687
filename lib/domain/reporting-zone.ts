/**
 * One reporting time zone per view. A view reports in the org's zone unless
 * the URL picks another (`?tz=team` or `?tz=utc`); forms opened from a view
 * carry the same choice, so times are entered and shown in the zone the
 * person was looking at. "team" needs a team in scope (a team page, a team
 * filter, a record's team); without one the view falls back to the org's zone.
 */
export const ZONE_CHOICES = ["org", "team", "utc"] as const;
export type ZoneChoice = (typeof ZONE_CHOICES)[number];

export interface ReportingZone {
  choice: ZoneChoice;
  /** IANA name the view's days, months and times are in. */
  timeZone: string;
  /** "Europe/London (org)", "Asia/Kathmandu (team)", "UTC". */
  label: string;
}

export function reportingZone({
  choice,
  orgTimeZone,
  teamTimeZone,
}: {
  choice: ZoneChoice;
  orgTimeZone: string;
  teamTimeZone?: string | null;
}): ReportingZone {
  if (choice === "utc") return { choice, timeZone: "UTC", label: "UTC" };
  if (choice === "team" && teamTimeZone) return { choice, timeZone: teamTimeZone, label: `${teamTimeZone} (team)` };
  return { choice: "org", timeZone: orgTimeZone, label: `${orgTimeZone} (org)` };
}

/** The `tz` search parameter for links that keep the view's zone (nothing for the default). */
export function zoneParam(choice: ZoneChoice): string | undefined {
  return choice === "org" ? undefined : choice;
}
