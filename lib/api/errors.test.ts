import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const { apiError, closingIfRefused, deniedResponse, unexpectedErrorResponse } = await import("./errors");

describe("deniedResponse", () => {
  it("answers forbidden with 403 and not-found with 404, as { error: { code, message } }, never cached", async () => {
    const forbidden = deniedResponse({ ok: false, kind: "forbidden", message: "You may not manage the organization (an org admin can)." });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("cache-control")).toBe("no-store");
    expect(await forbidden.json()).toEqual({ error: { code: "forbidden", message: "You may not manage the organization (an org admin can)." } });
    const missing = deniedResponse({ ok: false, kind: "not-found", message: "No such run." });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not-found", message: "No such run." } });
  });

  it("names the parameter at fault when there is one", async () => {
    const response = apiError(400, "bad-request", "month must be YYYY-MM", "month");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "bad-request", message: "month must be YYYY-MM", field: "month" } });
  });
});

describe("unexpectedErrorResponse", () => {
  it("answers 503 with Retry-After, naming the problem, when PostgreSQL can't be reached (a real refused connection)", async () => {
    const { freePort } = await import("@/lib/testing/test-database");
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: `postgresql://x:y@127.0.0.1:${await freePort()}/none`, connectionTimeoutMillis: 5_000 });
    const error = await client.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    const response = unexpectedErrorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      error: { code: "unavailable", message: "The database is unavailable (connection refused); try again in a few seconds." },
    });
  });

  it("answers anything else with a generic 500 that shows no internals", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = unexpectedErrorResponse(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toContain("secret");
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });
});

describe("closingIfRefused", () => {
  it("closes the connection after refusing a request with a body (its unread rest would stall the next request), and only then", async () => {
    const refused = closingIfRefused(apiError(415, "unsupported-media-type", "Send the CSV file itself"), true);
    expect(refused.status).toBe(415);
    expect(refused.headers.get("connection")).toBe("close");
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(await refused.json()).toEqual({ error: { code: "unsupported-media-type", message: "Send the CSV file itself" } });
    expect(closingIfRefused(Response.json({ ok: true }), true).headers.get("connection")).toBeNull();
    expect(closingIfRefused(apiError(404, "not-found", "No such month."), false).headers.get("connection")).toBeNull();
  });
});
