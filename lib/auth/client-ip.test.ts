import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const from = (headers: Record<string, string>) => clientIp((name) => headers[name] ?? null);

describe("clientIp", () => {
  it("takes the rightmost X-Forwarded-For entry: the one our side added", () => {
    expect(from({ "x-forwarded-for": "10.0.0.7" })).toBe("10.0.0.7");
    // A client can prepend anything; a reverse proxy appends the address it saw.
    expect(from({ "x-forwarded-for": "1.2.3.4, 203.0.113.9" })).toBe("203.0.113.9");
    expect(from({ "x-forwarded-for": " 2001:db8::1 , " })).toBe("2001:db8::1");
  });

  it("folds IPv4-mapped IPv6 into IPv4, falls back to X-Real-IP, else 'unknown'", () => {
    expect(from({ "x-forwarded-for": "::ffff:127.0.0.1" })).toBe("127.0.0.1");
    expect(from({ "x-real-ip": "198.51.100.2" })).toBe("198.51.100.2");
    expect(from({})).toBe("unknown");
    expect(from({ "x-forwarded-for": "a".repeat(500) })).toHaveLength(64);
  });
});
