/**
 * The client address a request came from, for per-IP limits and the audit log:
 * the rightmost X-Forwarded-For entry — the one our side added (Next.js sets the
 * socket address when the header is absent; a reverse proxy appends the client
 * it saw). "unknown" when there is none.
 */
export function clientIp(get: (name: string) => string | null): string {
  const forwarded = get("x-forwarded-for");
  const last = forwarded?.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
  const address = last ?? get("x-real-ip")?.trim();
  if (!address) return "unknown";
  // ::ffff:127.0.0.1 and 127.0.0.1 are the same client.
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1").slice(0, 64);
}
