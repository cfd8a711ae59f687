import fc from "fast-check";
import type pg from "pg";
import { expect } from "vitest";
import { rebuildUsageRollups } from "@/lib/db/mutations/usage-rollups";
import { mergedQuantileKeys } from "@/lib/db/queries/usage-ledger";
import { pgRunner } from "@/lib/db/sql";
import type { FormState } from "@/lib/validation/form-state";
import type { OrgFixture } from "./org-fixture";

/**
 * Helpers for the integration tests of deployment and usage forms: form
 * builders with valid defaults, a digest of every table a write touches (a
 * rejected write must leave all of them byte-for-byte unchanged, not only
 * their row counts), the rollups-equal-rebuild check, and hostile values.
 */

export function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

export const key = () => crypto.randomUUID();

export function deploymentFields(fx: OrgFixture, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    teamId: String(fx.teamId),
    name: "chat-prod",
    model: "meta-llama/Llama-3.1-70B-Instruct",
    servingEngine: "VLLM",
    quantization: "FP8",
    batching: "CONTINUOUS",
    maxBatchSize: "256",
    gpuTypeId: String(fx.gpuTypeId),
    provider: "aws",
    pricingModel: "ON_DEMAND",
    gpuCount: "8",
    p99SloMs: "2000",
    activeFrom: "2026-11-01T00:00",
    activeTo: "",
    _timeZone: "Europe/London",
    _idempotencyKey: key(),
    ...overrides,
  };
}

export function usageFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    windowStart: "2026-11-10T00:00",
    windowSeconds: "86400",
    requests: "120000",
    errors: "60",
    inputTokens: "96000000",
    cachedInputTokens: "30000000",
    outputTokens: "24000000",
    latencyP50Ms: "180",
    latencyP95Ms: "620",
    latencyP99Ms: "1400.5",
    avgGpuUtilizationPct: "41.5",
    _timeZone: "Europe/London",
    _idempotencyKey: key(),
    ...overrides,
  };
}

export function savedId(state: FormState): string {
  if (state.status !== "saved") throw new Error(`expected saved, got ${JSON.stringify(state)}`);
  return state.id;
}

const WRITTEN_TABLES = [
  "teams", "gpu_types", "gpu_prices", "inference_deployments", "inference_usage_windows", "usage_rollup_quarter",
  "usage_rollup_team_hour", "usage_rollup_day", "audit_entries", "deleted_records", "idempotency_keys",
];

/** One md5 per table over all its rows: equal digests mean nothing was written. */
export async function tableDigests(client: pg.Client): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of WRITTEN_TABLES) {
    const { rows } = await client.query(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${table} t`);
    digests[table] = `${rows[0].n}:${rows[0].digest}`;
  }
  return digests;
}

/** Every usage rollup row, sketches normalized (pure additions append pairs: burnrate_sketch_add with 0 pairs allowed sorts and sums them). */
export async function rollupRows(client: pg.Client): Promise<string> {
  const parts: unknown[] = [];
  for (const table of ["usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day", "usage_rollup_month", "usage_rollup_team_day"]) {
    const { rows } = await client.query(`
      select r.*, s.keys as "latencyKeys", s.counts as "latencyCounts"
      from ${table} r, burnrate_sketch_add(r."latencyKeys", r."latencyCounts", '{}', '{}', 0) s
      order by 1, 2, 3`);
    // A team row's stored quantile keys are a cache of its sketch (checked by expectCompactQuantilesCurrent), not a measure.
    parts.push(rows.map(({ isCompact: _isCompact, p50Key: _p50, p95Key: _p95, p99Key: _p99, ...measures }) => measures));
  }
  return JSON.stringify(parts);
}

/** Every compact team row's stored p50/p95/p99 keys are those of its sketch (as the readers compute them). */
export async function expectCompactQuantilesCurrent(client: pg.Client): Promise<number> {
  let compact = 0;
  for (const table of ["usage_rollup_team_hour", "usage_rollup_team_day"]) {
    const { rows } = await client.query<{ latencyKeys: number[]; latencyCounts: string[]; p50Key: number | null; p95Key: number | null; p99Key: number | null }>(
      `select "latencyKeys", "latencyCounts", "p50Key", "p95Key", "p99Key" from ${table} where "isCompact"`,
    );
    for (const row of rows) {
      const keys = mergedQuantileKeys(`{${row.latencyKeys.join(",")}}`, `{${row.latencyCounts.join(",")}}`);
      expect([row.p50Key, row.p95Key, row.p99Key]).toEqual(keys);
    }
    compact += rows.length;
  }
  return compact;
}

/** The incrementally maintained rollups equal a rebuild from the raw windows (the rebuild is rolled back). */
export async function expectRollupsEqualRebuild(client: pg.Client): Promise<void> {
  const incremental = await rollupRows(client);
  await expectCompactQuantilesCurrent(client);
  await client.query("begin");
  try {
    await rebuildUsageRollups(pgRunner(client));
    expect(await rollupRows(client)).toBe(incremental);
    await expectCompactQuantilesCurrent(client);
  } finally {
    await client.query("rollback");
  }
}

/** Values people and scripts send that a form never should. */
export const hostileValue = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "", " ", "-1", "0", "1e309", "NaN", "Infinity", "0x10", "9".repeat(40), "1.5", "=cmd|' /C calc'!A0", "\u0000", "😀", "<script>", "null",
    "2026-02-30T10:00", "2026-03-29T01:30", "2099-01-01T00:00", "1999-12-31T23:59", "2026-11-10T00:00Z", "'; drop table inference_deployments; --",
  ),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
);

/** Every rejection is a value naming known fields (or the form), each with a message. */
export function expectNamedRejection(state: FormState, fieldNames: readonly string[]): void {
  expect(["saved", "invalid", "notFound", "conflict"]).toContain(state.status);
  if (state.status === "invalid") {
    expect(Object.keys(state.fieldErrors).length).toBeGreaterThan(0);
    for (const [field, messages] of Object.entries(state.fieldErrors)) {
      expect(field === "_form" || fieldNames.includes(field), `unexpected error key ${field}`).toBe(true);
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.every((m) => typeof m === "string" && m.length > 0)).toBe(true);
    }
  }
  if (state.status === "notFound") expect(state.message.length).toBeGreaterThan(0);
}
