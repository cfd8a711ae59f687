import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOrgFixture, type OrgFixture } from "@/lib/testing/org-fixture";
import { auditOf, form, key, settingsSnapshot } from "@/lib/testing/settings-helpers";
import { submitGpuPrice, submitGpuPriceDelete } from "./gpu-prices";
import { submitRestore } from "./records";

// Record keeping for catalog prices against a real database: no overlapping
// periods (checked first, and the exclusion constraint as backstop, both as
// the same field error), ending the current price in the same transaction,
// version conflicts, audit entries, rollback, undo, and hostile input.
let fx: OrgFixture;
let client: pg.Client;
/** The fixture's aws on-demand H100 price: $2.50 from 2025-01-01, open-ended. */
let currentId: number;

function priceFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    gpuTypeId: String(fx.gpuTypeId),
    provider: "aws",
    pricingModel: "ON_DEMAND",
    pricePerGpuHour: "3.10",
    effectiveFrom: "2026-06-01T00:00:00Z",
    _idempotencyKey: key(),
    ...overrides,
  };
}

async function prices() {
  const { rows } = await client.query(
    `select id, provider, "pricingModel", "pricePerGpuHour"::text as price, "effectiveFrom", "effectiveTo", version from gpu_prices where "gpuTypeId" = $1 order by provider, "pricingModel", "effectiveFrom"`,
    [fx.gpuTypeId],
  );
  return rows;
}

async function createPrice(overrides: Record<string, string> = {}): Promise<string> {
  const state = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields(overrides)) });
  if (state.status !== "saved") throw new Error(JSON.stringify(state));
  return state.id;
}

beforeAll(async () => {
  fx = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());
beforeEach(async () => {
  await client.query(`delete from audit_entries; delete from idempotency_keys; delete from deleted_records; delete from gpu_prices`);
  const { rows } = await client.query(
    `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 2.5, '2025-01-01T00:00:00Z') returning id`,
    [fx.gpuTypeId],
  );
  currentId = rows[0].id;
});

describe("create", () => {
  it("saves a price read in the form's time zone, with an audit entry", async () => {
    const state = await submitGpuPrice({
      viewer: fx.viewer,
      id: null,
      formData: form(priceFields({ provider: "Lambda", pricingModel: "spot", pricePerGpuHour: "1.234567", effectiveFrom: "2026-07-01T00:00", _timeZone: "America/New_York" })),
    });
    expect(state).toMatchObject({ status: "saved", isReplay: false });
    if (state.status !== "saved") return;
    const saved = (await prices()).find((p) => String(p.id) === state.id);
    expect(saved).toMatchObject({ provider: "lambda", pricingModel: "SPOT", price: "1.234567", effectiveFrom: new Date("2026-07-01T04:00:00Z"), effectiveTo: null, version: 1 });
    const entries = await auditOf(client, "gpuPrice", state.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "CREATE", before: null, actorName: "Ada Admin" });
    expect(entries[0].after).toMatchObject({ provider: "lambda", pricingModel: "SPOT", pricePerGpuHour: "1.234567", effectiveFrom: "2026-07-01T04:00:00.000Z" });
  });

  it("ends the current open-ended price when the new one takes effect: both rows in one write, both audited", async () => {
    const state = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ endCurrentPrice: "on" })) });
    expect(state.status).toBe("saved");
    if (state.status !== "saved") return;
    expect(await prices()).toEqual([
      { id: currentId, provider: "aws", pricingModel: "ON_DEMAND", price: "2.500000", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: new Date("2026-06-01T00:00:00Z"), version: 2 },
      { id: Number(state.id), provider: "aws", pricingModel: "ON_DEMAND", price: "3.100000", effectiveFrom: new Date("2026-06-01T00:00:00Z"), effectiveTo: null, version: 1 },
    ]);
    const ended = await auditOf(client, "gpuPrice", currentId);
    expect(ended).toMatchObject([{ action: "UPDATE", changedFields: ["effectiveTo"], before: { effectiveTo: null }, after: { effectiveTo: "2026-06-01T00:00:00.000Z" } }]);
    expect((await auditOf(client, "gpuPrice", state.id)).map((e) => e.action)).toEqual(["CREATE"]);
  });

  it("rolls back ending the current price when the new one can't be saved", async () => {
    const before = await settingsSnapshot(client);
    // Ending the current price (and its audit entry) succeeds; the new price's audit entry fails.
    await client.query(`create function fail_audit() returns trigger language plpgsql as $$ begin if new.action = 'CREATE' then raise exception 'audit store unavailable'; end if; return new; end $$`);
    await client.query(`create trigger fail_audit before insert on audit_entries for each row execute function fail_audit()`);
    try {
      await expect(submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ endCurrentPrice: "on" })) })).rejects.toThrow();
    } finally {
      await client.query(`drop trigger fail_audit on audit_entries; drop function fail_audit()`);
    }
    expect(await settingsSnapshot(client)).toEqual(before);
    expect((await prices())[0]).toMatchObject({ effectiveTo: null, version: 1 });
  });

  it("without the checkbox, refuses an overlap with the current price as a field error naming it", async () => {
    const before = await settingsSnapshot(client);
    const state = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields()) });
    expect(state.status === "invalid" && state.fieldErrors).toEqual({
      effectiveFrom: ["Overlaps the On-demand price for this GPU on aws in effect from 2025-01-01 00:00 (Europe/London) with no end date; start after it ends or end it first"],
    });
    expect(await settingsSnapshot(client)).toEqual(before);
  });

  it("doesn't end the current price for a bounded new price, or one starting before it; those overlap", async () => {
    const before = await settingsSnapshot(client);
    const bounded = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ effectiveTo: "2026-07-01T00:00:00Z", endCurrentPrice: "on" })) });
    expect(bounded.status === "invalid" && Object.keys(bounded.fieldErrors)).toEqual(["effectiveFrom"]);
    const earlier = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ effectiveFrom: "2024-01-01T00:00:00Z", endCurrentPrice: "on" })) });
    expect(earlier.status === "invalid" && earlier.fieldErrors).toEqual({
      effectiveTo: ["Overlaps the On-demand price for this GPU on aws starting 2025-01-01 00:00 (Europe/London); end on or before then"],
    });
    expect(await settingsSnapshot(client)).toEqual(before);
    // Ending before the current one starts is fine: periods that only touch don't overlap.
    expect((await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ effectiveFrom: "2024-01-01T00:00:00Z", effectiveTo: "2025-01-01T00:00:00Z" })) })).status).toBe("saved");
  });

  it("maps the exclusion constraint to the same field error when an overlapping price is saved meanwhile", async () => {
    // Another transaction saves an overlapping SPOT price but hasn't committed when this one checks.
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("begin");
      await other.query(`insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'gcp', 'SPOT', 1.1, '2026-01-01T00:00:00Z')`, [fx.gpuTypeId]);
      const pending = submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ provider: "gcp", pricingModel: "SPOT", effectiveFrom: "2026-03-01T00:00:00Z" })) });
      // Wait until the submit passed its check and blocks on the constraint, then commit the other write.
      for (let waited = 0; ; waited += 20) {
        const { rows } = await client.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (rows[0].n > 0) break;
        if (waited > 10_000) throw new Error("the submit never blocked on the other write");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query("commit");
      const state = await pending;
      expect(state.status === "invalid" && state.fieldErrors).toEqual({
        effectiveFrom: ["Overlaps the Spot price for this GPU on gcp in effect from 2026-01-01 00:00 (Europe/London) with no end date; start after it ends or end it first"],
      });
    } finally {
      await other.end();
    }
    expect((await prices()).filter((p) => p.provider === "gcp")).toHaveLength(1);
    expect((await client.query(`select count(*)::int as n from audit_entries`)).rows[0].n).toBe(0);
  });

  it("lets one of several concurrent overlapping creates win; the others get the overlap field error", async () => {
    const results = await Promise.all(
      ["2026-02-01", "2026-03-01", "2026-04-01"].map((day) => submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ provider: "azure", effectiveFrom: `${day}T00:00:00Z` })) })),
    );
    expect(results.filter((r) => r.status === "saved")).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== "saved")) expect(r.status === "invalid" && Object.keys(r.fieldErrors).length).toBe(1);
    expect((await prices()).filter((p) => p.provider === "azure")).toHaveLength(1);
  });

  it("creates one price when the same form is submitted twice, one after the other or at once", async () => {
    const fields = priceFields({ endCurrentPrice: "on" });
    const first = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(fields) });
    const second = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(fields) });
    expect(second).toMatchObject({ status: "saved", isReplay: true, id: first.status === "saved" ? first.id : "" });
    const concurrent = priceFields({ provider: "coreweave" });
    const results = await Promise.all([1, 2, 3].map(() => submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(concurrent) })));
    expect(new Set(results.map((r) => (r.status === "saved" ? r.id : r.status))).size).toBe(1);
    expect(results.filter((r) => r.status === "saved" && !r.isReplay)).toHaveLength(1);
    expect((await prices()).map((p) => [p.provider, p.price])).toEqual([
      ["aws", "2.500000"],
      ["aws", "3.100000"],
      ["coreweave", "3.100000"],
    ]);
  });

  it("refuses another org's GPU type, and anyone who doesn't manage the org (forbidden), writing nothing", async () => {
    const before = await settingsSnapshot(client);
    const foreign = await submitGpuPrice({ viewer: fx.viewer, id: null, formData: form(priceFields({ gpuTypeId: String(fx.foreignGpuTypeId), provider: "gcp" })) });
    expect(foreign.status === "invalid" && Object.keys(foreign.fieldErrors)).toEqual(["gpuTypeId"]);
    for (const member of [fx.readOnlyViewer, fx.memberViewer, fx.teamAdminViewer, fx.otherTeamViewer]) {
      expect(await submitGpuPrice({ viewer: member, id: null, formData: form(priceFields({ provider: "gcp" })) })).toEqual({ status: "denied", denied: { ok: false, kind: "forbidden", message: "You may not manage the organization (an org admin can)." } });
    }
    expect(await settingsSnapshot(client)).toEqual(before);
  });
});

describe("edit", () => {
  const currentFields = () => priceFields({ pricePerGpuHour: "2.5", effectiveFrom: "2025-01-01T00:00:00Z", _version: "1" });

  it("saves an edit, bumps the version and records before and after", async () => {
    const state = await submitGpuPrice({ viewer: fx.ownerViewer, id: currentId, formData: form({ ...currentFields(), pricePerGpuHour: "2.45" }) });
    expect(state).toMatchObject({ status: "saved", id: String(currentId) });
    const entries = await auditOf(client, "gpuPrice", currentId);
    expect(entries).toMatchObject([{ action: "UPDATE", changedFields: ["pricePerGpuHour"], before: { pricePerGpuHour: "2.5" }, after: { pricePerGpuHour: "2.45" }, actorName: "Olga Owner" }]);
    expect((await prices())[0]).toMatchObject({ price: "2.450000", version: 2 });
  });

  it("refuses an edit from a stale form, listing the changed fields, and loses neither change", async () => {
    expect((await submitGpuPrice({ viewer: fx.ownerViewer, id: currentId, formData: form({ ...currentFields(), pricePerGpuHour: "2.45" }) })).status).toBe("saved");
    const stale = await submitGpuPrice({ viewer: fx.viewer, id: currentId, formData: form({ ...currentFields(), effectiveTo: "2026-01-01T00:00:00Z" }) });
    expect(stale.status).toBe("conflict");
    if (stale.status !== "conflict") return;
    expect(stale.conflict).toMatchObject({ currentVersion: 2, changedBy: { actorName: "Olga Owner" } });
    expect(stale.conflict.changes).toEqual([
      { field: "effectiveTo", saved: null, yours: "2026-01-01T00:00:00.000Z" },
      { field: "pricePerGpuHour", saved: "2.45", yours: "2.5" },
    ]);
    expect((await prices())[0]).toMatchObject({ price: "2.450000", effectiveTo: null, version: 2 });
  });

  it("lets exactly one of two concurrent edits of the same version win", async () => {
    const results = await Promise.all(["2.4", "2.6"].map((price) => submitGpuPrice({ viewer: fx.viewer, id: currentId, formData: form({ ...currentFields(), pricePerGpuHour: price }) })));
    expect(results.map((r) => r.status).sort()).toEqual(["conflict", "saved"]);
  });

  it("refuses an edit that would overlap another period, but not one that overlaps only itself", async () => {
    const later = await createPrice({ provider: "gcp", effectiveFrom: "2026-01-01T00:00:00Z" });
    await createPrice({ provider: "gcp", effectiveFrom: "2025-01-01T00:00:00Z", effectiveTo: "2026-01-01T00:00:00Z" });
    const before = await settingsSnapshot(client);
    const overlapping = await submitGpuPrice({ viewer: fx.viewer, id: later, formData: form(priceFields({ provider: "gcp", effectiveFrom: "2025-12-01T00:00:00Z", _version: "1" })) });
    expect(overlapping.status === "invalid" && overlapping.fieldErrors.effectiveFrom?.[0]).toMatch(/^Overlaps the On-demand price for this GPU on gcp in effect from 2025-01-01 00:00 \(Europe\/London\) until 2026-01-01 00:00 \(Europe\/London\)/);
    expect(await settingsSnapshot(client)).toEqual(before);
    const itself = await submitGpuPrice({ viewer: fx.viewer, id: later, formData: form(priceFields({ provider: "gcp", effectiveFrom: "2026-02-01T00:00:00Z", _version: "1" })) });
    expect(itself.status).toBe("saved");
  });

  it("reports a price deleted meanwhile, and another org's price, as not found", async () => {
    await submitGpuPriceDelete({ viewer: fx.viewer, id: currentId });
    expect((await submitGpuPrice({ viewer: fx.viewer, id: currentId, formData: form(currentFields()) })).status).toBe("notFound");
    const { rows } = await client.query(
      `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom") values ($1, 'aws', 'ON_DEMAND', 9, '2025-01-01') returning id`,
      [fx.foreignGpuTypeId],
    );
    const foreignId = rows[0].id;
    const before = await settingsSnapshot(client);
    expect((await submitGpuPrice({ viewer: fx.viewer, id: foreignId, formData: form({ ...currentFields(), gpuTypeId: String(fx.foreignGpuTypeId) }) })).status).toBe("notFound");
    expect((await submitGpuPriceDelete({ viewer: fx.viewer, id: foreignId })).status).toBe("notFound");
    expect(await settingsSnapshot(client)).toEqual(before);
  });
});

describe("delete and undo", () => {
  it("deletes a price, then restores it exactly, with audit entries for both", async () => {
    const row = async () => (await client.query(`select to_jsonb(p) as row from gpu_prices p where id = $1`, [currentId])).rows[0]?.row;
    const original = await row();
    const deleted = await submitGpuPriceDelete({ viewer: fx.viewer, id: currentId });
    expect(deleted.status === "saved" && deleted.deletedId).toBeGreaterThan(0);
    if (deleted.status !== "saved") return;
    expect(await row()).toBeUndefined();
    const { rows: [trashed] } = await client.query(`select label from deleted_records where id = $1`, [deleted.deletedId]);
    expect(trashed.label).toBe("Price H100 80GB · aws · On-demand from 2025-01-01 00:00 UTC");
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored).toMatchObject({ status: "saved", id: String(currentId), path: `/settings/prices/${currentId}/edit` });
    expect(await row()).toEqual(original);
    expect((await auditOf(client, "gpuPrice", currentId)).map((e) => e.action)).toEqual(["DELETE", "RESTORE"]);
  });

  it("can't undo a delete once another price covers the period", async () => {
    const deleted = await submitGpuPriceDelete({ viewer: fx.viewer, id: currentId });
    await createPrice();
    if (deleted.status !== "saved") throw new Error("not deleted");
    const restored = await submitRestore({ viewer: fx.viewer, deletedId: deleted.deletedId });
    expect(restored.status === "invalid" && restored.fieldErrors._form?.[0]).toMatch(/A price for the same GPU, provider and pricing model now covers part of this period/);
  });
});

describe("hostile input", () => {
  const fieldNames = ["gpuTypeId", "provider", "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo", "endCurrentPrice", "_idempotencyKey", "_version", "_timeZone", "__proto__"];
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom("", " ", "on", "-1", "0", "0.0000001", "10000.000001", "1e309", "NaN", "9".repeat(40), "=cmd|' /C calc'!A0", "\u0000", "😀", "SPOT", "on-demand", "2026-02-30T10:00", "2026-03-29T01:30", "1999-12-31T23:59:59Z", "Europe/London", "'; drop table gpu_prices; --"),
    fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.integer().map(String),
  );

  it("never throws, never writes on rejection, and every rejection names a field", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fieldNames), hostile, { maxKeys: 6 }), fc.constantFrom("create", "edit", "missing"), async (overrides, mode) => {
        const before = await settingsSnapshot(client);
        const version = String((await client.query(`select version from gpu_prices where id = $1`, [currentId])).rows[0]?.version ?? 1);
        const id = mode === "create" ? null : mode === "edit" ? currentId : "999999";
        const base = mode === "create" ? priceFields({ provider: `p${key().slice(0, 8)}` }) : priceFields({ pricePerGpuHour: "2.5", effectiveFrom: "2025-01-01T00:00:00Z", _version: version });
        const state = await submitGpuPrice({ viewer: fx.viewer, id, formData: form({ ...base, ...overrides }) });
        expect(["saved", "invalid", "notFound", "conflict"]).toContain(state.status);
        if (state.status === "invalid") {
          expect(Object.keys(state.fieldErrors).length).toBeGreaterThan(0);
          for (const [field, messages] of Object.entries(state.fieldErrors)) {
            expect(field === "_form" || fieldNames.includes(field)).toBe(true);
            expect(messages.length > 0 && messages.every((m) => m.length > 0)).toBe(true);
          }
        }
        if (state.status !== "saved") expect(await settingsSnapshot(client)).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it("never throws on forged ids for edit and delete, and changes nothing", async () => {
    const before = await settingsSnapshot(client);
    const forged = fc.oneof(fc.string().filter((s) => !/^\d+$/.test(s)), fc.integer({ min: 100_000 }), fc.integer({ max: 0 }), fc.double(), fc.constant(null), fc.object());
    await fc.assert(
      fc.asyncProperty(forged, async (id) => {
        expect((await submitGpuPriceDelete({ viewer: fx.viewer, id })).status).toBe("notFound");
        const edit = await submitGpuPrice({ viewer: fx.viewer, id: id ?? "x", formData: form(priceFields({ _version: "1" })) });
        expect(["notFound", "invalid"]).toContain(edit.status);
      }),
      { numRuns: 60 },
    );
    expect(await settingsSnapshot(client)).toEqual(before);
  });
});
