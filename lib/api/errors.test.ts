import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const { apiError, deniedResponse } = await import("./errors");

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
