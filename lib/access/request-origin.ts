/**
 * Cross-site and DNS-rebinding protection for requests (pure; the Next.js
 * wiring is in request-origin-guard.ts and proxy.ts).
 *
 * - Host: every request must name this server — the public URL's host, or a
 *   loopback name (localhost, 127.0.0.1, [::1]) on any port, which a
 *   rebinding attacker's page cannot send (its Host is the attacker's name).
 * - State changes (any method but GET, HEAD, OPTIONS) must also come from the
 *   public URL's origin: Origin, or Referer when a browser sends no Origin.
 *   With neither, the request is refused — a browser always sends one of them
 *   on a cross-site POST unless told not to, and we can't tell where it came from.
 */

export interface OriginPolicy {
  /** Origins ("http://localhost:3000") state-changing requests may come from. */
  origins: ReadonlySet<string>;
  /** Hosts ("burnrate.example.com", "localhost:3000") the Host header may name. */
  hosts: ReadonlySet<string>;
  protocol: string;
}

export interface RequestFacts {
  method: string;
  host: string | null;
  origin: string | null;
  referer: string | null;
}

export type OriginCheck = { ok: true } | { ok: false; reason: "host" | "origin"; message: string };

const LOOPBACK_HOSTNAMES = ["localhost", "127.0.0.1", "[::1]"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** A Host header: a name or IPv4 address, or a bracketed IPv6 address, and an optional port. */
const HOST_PATTERN = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** The policy for a public URL; a loopback public URL admits all three loopback names on its port. */
export function originPolicy(publicUrl: URL): OriginPolicy {
  const base = new URL(publicUrl.origin);
  const variants = LOOPBACK_HOSTNAMES.includes(base.hostname)
    ? LOOPBACK_HOSTNAMES.map((hostname) => {
        const url = new URL(base.origin);
        url.hostname = hostname;
        return url;
      })
    : [base];
  return { origins: new Set(variants.map((url) => url.origin)), hosts: new Set(variants.map((url) => url.host)), protocol: base.protocol };
}

/** A Host header normalized as URL.host (lower case, default port dropped), or null when malformed. */
export function normalizeHost(host: string, protocol = "http:"): URL | null {
  if (!HOST_PATTERN.test(host)) return null;
  try {
    return new URL(`${protocol}//${host}`);
  } catch {
    return null;
  }
}

export function isHostAllowed(host: string | null, policy: OriginPolicy): boolean {
  if (!host) return false;
  const url = normalizeHost(host.trim(), policy.protocol);
  if (!url) return false;
  return policy.hosts.has(url.host) || LOOPBACK_HOSTNAMES.includes(url.hostname);
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Whether a request may proceed: its Host always, and for a state change where it came from. */
export function checkRequestOrigin(request: RequestFacts, policy: OriginPolicy): OriginCheck {
  if (!isHostAllowed(request.host, policy)) {
    return { ok: false, reason: "host", message: `This server does not answer to the host "${request.host ?? ""}". Open Burnrate at ${[...policy.origins][0]}, or set BURNRATE_PUBLIC_URL to the address people use.` };
  }
  if (!isStateChanging(request.method)) return { ok: true };
  const source = request.origin ?? request.referer;
  if (source === null || source === "") {
    return { ok: false, reason: "origin", message: "Refused a change with neither Origin nor Referer: submit it from Burnrate's own pages." };
  }
  const origin = originOf(source);
  if (origin === null || !policy.origins.has(origin)) {
    return { ok: false, reason: "origin", message: `Refused a change sent from another site (${origin ?? source}): submit it from Burnrate's own pages.` };
  }
  return { ok: true };
}
