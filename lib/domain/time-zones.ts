/**
 * IANA time zone names for pickers. ICU (Node 20, Chrome) lists some zones
 * under their old names — Asia/Calcutta, Asia/Katmandu, Europe/Kiev — and
 * leaves the current ones out of Intl.supportedValuesOf, though it accepts
 * both. The list below puts the current names in their place, so a team in
 * Asia/Kolkata finds its zone under the name people type.
 */
export const CURRENT_ZONE_NAMES = [
  "Africa/Asmara",
  "America/Argentina/Buenos_Aires",
  "America/Argentina/Catamarca",
  "America/Argentina/Cordoba",
  "America/Argentina/Jujuy",
  "America/Argentina/Mendoza",
  "America/Atikokan",
  "America/Indiana/Indianapolis",
  "America/Kentucky/Louisville",
  "America/Nuuk",
  "Asia/Ho_Chi_Minh",
  "Asia/Kathmandu",
  "Asia/Kolkata",
  "Asia/Yangon",
  "Atlantic/Faroe",
  "Europe/Kyiv",
  "Pacific/Chuuk",
  "Pacific/Kanton",
  "Pacific/Pohnpei",
] as const;

function resolve(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

let names: string[] | undefined;

/** Every zone this runtime knows, current names preferred, UTC first then alphabetical. */
export function timeZoneNames(): string[] {
  if (names) return names;
  const zones = new Set(Intl.supportedValuesOf("timeZone"));
  for (const current of CURRENT_ZONE_NAMES) {
    const old = resolve(current);
    if (old === null) continue;
    zones.delete(old);
    zones.add(current);
  }
  zones.delete("UTC");
  names = ["UTC", ...[...zones].sort((a, b) => a.localeCompare(b, "en"))];
  return names;
}
