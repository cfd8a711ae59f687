import { z } from "zod";
import { ZONE_CHOICES, zoneParam, type ZoneChoice } from "@/lib/domain/reporting-zone";

/**
 * The `tz` search parameter of a form page: the zone choice of the view the
 * form was opened from, so times are entered and shown in the zone the person
 * was looking at. Absent or invalid means the org's zone.
 */
export const formZoneChoiceSchema = z.enum(ZONE_CHOICES).catch("org");

type SearchParams = Record<string, string | string[] | undefined>;

export function formZoneChoice(searchParams: SearchParams): ZoneChoice {
  const raw = searchParams.tz;
  return formZoneChoiceSchema.parse(Array.isArray(raw) ? raw[0] : raw);
}

/** `href` with `?tz=…` (or `&tz=…`) added when the choice is not the default, so the next page keeps the zone. */
export function withZone<T extends string>(href: T, choice: ZoneChoice): T {
  const tz = zoneParam(choice);
  if (!tz) return href;
  const [path, hash] = href.split("#", 2);
  return `${path}${path!.includes("?") ? "&" : "?"}tz=${tz}${hash === undefined ? "" : `#${hash}`}` as T;
}
