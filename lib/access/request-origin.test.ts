import { describe, expect, it } from "vitest";
import { publicUrlFrom } from "@/lib/env";
import { checkRequestOrigin, isHostAllowed, originPolicy } from "./request-origin";

const local = originPolicy(publicUrlFrom({ PORT: "3000" }));
const hosted = originPolicy(publicUrlFrom({ BURNRATE_PUBLIC_URL: "https://burnrate.example.com/some/path" }));

const post = (headers: { host?: string | null; origin?: string | null; referer?: string | null }) => ({
  method: "POST",
  host: headers.host === undefined ? "localhost:3000" : headers.host,
  origin: headers.origin ?? null,
  referer: headers.referer ?? null,
});

describe("publicUrlFrom", () => {
  it("defaults to http://localhost:PORT, and PORT to 3000", () => {
    expect(publicUrlFrom({}).origin).toBe("http://localhost:3000");
    expect(publicUrlFrom({ PORT: "4100" }).origin).toBe("http://localhost:4100");
    expect(publicUrlFrom({ PORT: "4100", BURNRATE_PUBLIC_URL: "https://costs.example.com" }).origin).toBe("https://costs.example.com");
  });

  it("refuses a URL that isn't http(s), naming the variable", () => {
    expect(() => publicUrlFrom({ BURNRATE_PUBLIC_URL: "ftp://costs.example.com" })).toThrow(/BURNRATE_PUBLIC_URL/);
    expect(() => publicUrlFrom({ BURNRATE_PUBLIC_URL: "costs.example.com" })).toThrow(/BURNRATE_PUBLIC_URL/);
    expect(() => publicUrlFrom({ PORT: "http" })).toThrow(/PORT/);
  });
});

describe("originPolicy", () => {
  it("admits the three loopback names on the port of a localhost URL", () => {
    expect([...local.origins]).toEqual(["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]);
    expect([...local.hosts]).toEqual(["localhost:3000", "127.0.0.1:3000", "[::1]:3000"]);
  });

  it("admits only the public URL's origin otherwise (path dropped, default port implied)", () => {
    expect([...hosted.origins]).toEqual(["https://burnrate.example.com"]);
    expect([...hosted.hosts]).toEqual(["burnrate.example.com"]);
  });
});

describe("isHostAllowed", () => {
  it("allows the public host, with or without its default port, in any case", () => {
    expect(isHostAllowed("burnrate.example.com", hosted)).toBe(true);
    expect(isHostAllowed("BurnRate.Example.com:443", hosted)).toBe(true);
    expect(isHostAllowed("burnrate.example.com:8443", hosted)).toBe(false);
  });

  it("always allows loopback names (a rebinding page can't send them), IPv6 included", () => {
    expect(isHostAllowed("localhost:3000", local)).toBe(true);
    expect(isHostAllowed("[::1]:3000", local)).toBe(true);
    expect(isHostAllowed("127.0.0.1:55123", hosted)).toBe(true);
    expect(isHostAllowed("[::1]", hosted)).toBe(true);
  });

  it("refuses another name, a missing or malformed Host", () => {
    expect(isHostAllowed("evil.example:3000", local)).toBe(false);
    expect(isHostAllowed("localhost.evil.example:3000", local)).toBe(false);
    expect(isHostAllowed("[::2]:3000", local)).toBe(false);
    expect(isHostAllowed(null, local)).toBe(false);
    expect(isHostAllowed("", local)).toBe(false);
    expect(isHostAllowed("evil.example@localhost:3000", local)).toBe(false);
    expect(isHostAllowed("localhost:3000/path", local)).toBe(false);
  });
});

describe("checkRequestOrigin", () => {
  it("lets reads through from any origin, but not to another host (DNS rebinding)", () => {
    expect(checkRequestOrigin({ method: "GET", host: "localhost:3000", origin: null, referer: null }, local)).toEqual({ ok: true });
    expect(checkRequestOrigin({ method: "HEAD", host: "localhost:3000", origin: "http://evil.example", referer: null }, local)).toEqual({ ok: true });
    expect(checkRequestOrigin({ method: "GET", host: "evil.example:3000", origin: null, referer: null }, local)).toMatchObject({ ok: false, reason: "host" });
  });

  it("lets a change through from the public origin, or a loopback equivalent", () => {
    expect(checkRequestOrigin(post({ origin: "http://localhost:3000" }), local)).toEqual({ ok: true });
    expect(checkRequestOrigin(post({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }), local)).toEqual({ ok: true });
    expect(checkRequestOrigin(post({ host: "[::1]:3000", origin: "http://[::1]:3000" }), local)).toEqual({ ok: true });
    expect(checkRequestOrigin(post({ host: "burnrate.example.com", origin: "https://burnrate.example.com" }), hosted)).toEqual({ ok: true });
  });

  it("refuses a change from another origin: site, port or scheme", () => {
    for (const origin of ["http://evil.example", "http://localhost:3001", "https://localhost:3000", "http://[::1]:3001", "null", "not a url"]) {
      expect(checkRequestOrigin(post({ origin }), local), origin).toMatchObject({ ok: false, reason: "origin" });
    }
    expect(checkRequestOrigin(post({ host: "burnrate.example.com", origin: "http://burnrate.example.com" }), hosted)).toMatchObject({ ok: false, reason: "origin" });
  });

  it("refuses DNS rebinding: Host and Origin both the attacker's name", () => {
    const result = checkRequestOrigin(post({ host: "evil.example:3000", origin: "http://evil.example:3000" }), local);
    expect(result).toMatchObject({ ok: false, reason: "host" });
    expect(result.ok ? "" : result.message).toContain("evil.example:3000");
  });

  it("uses Referer when there is no Origin", () => {
    expect(checkRequestOrigin(post({ referer: "http://localhost:3000/training/12?tz=org" }), local)).toEqual({ ok: true });
    expect(checkRequestOrigin(post({ referer: "http://evil.example/page" }), local)).toMatchObject({ ok: false, reason: "origin" });
    expect(checkRequestOrigin(post({ referer: "javascript:alert(1)" }), local)).toMatchObject({ ok: false, reason: "origin" });
  });

  it("prefers Origin over Referer", () => {
    expect(checkRequestOrigin(post({ origin: "http://evil.example", referer: "http://localhost:3000/" }), local)).toMatchObject({ ok: false });
  });

  it("refuses a change with neither Origin nor Referer", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      expect(checkRequestOrigin({ method, host: "localhost:3000", origin: null, referer: null }, local), method).toMatchObject({ ok: false, reason: "origin" });
    }
    expect(checkRequestOrigin(post({ origin: "", referer: "" }), local)).toMatchObject({ ok: false, reason: "origin" });
  });
});
