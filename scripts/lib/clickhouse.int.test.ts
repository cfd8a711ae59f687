import { Session } from "chdb";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRollupTimeZones, refreshUsageRollups } from "@/lib/db/mutations/usage-rollups";
import { pgRunner } from "@/lib/db/sql";
import { CLICKHOUSE_TABLES, clickhouseTableDdl, clickhouseType, loadDatamodel, tableName } from "./scale-out";

// The scale-out target of ARCHITECTURE.md ("Past one machine"), run for real:
// the raw-window table generated from prisma/schema.prisma is created in
// ClickHouse (chdb: the ClickHouse engine in-process), and its 15-minute
// aggregation is compared with PostgreSQL's usage_rollup_quarter, built by
// the app's own rollup code from the same windows.

const target = CLICKHOUSE_TABLES[0];
const rawModel = loadDatamodel().models.find((m) => m.name === target.model)!;
const TABLE = tableName(rawModel);
const QUARTER_MS = 15 * 60_000;

let client: pg.Client;
let session: Session;
let deploymentId: number;

beforeAll(async () => {
  session = new Session();
  session.query(clickhouseTableDdl(rawModel, target));
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const one = async (text: string, values: unknown[] = []) => (await client.query<{ id: number }>(text, values)).rows[0]!.id;
  const orgId = await one(`insert into orgs (slug, name, "timeZone") values ('o', 'O', 'Asia/Kolkata') returning id`);
  const gpuId = await one(
    `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
    [orgId],
  );
  const teamId = await one(
    `insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, 't', 'T', 1000, 'America/New_York', now()) returning id`,
    [orgId],
  );
  deploymentId = await one(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
     values ($1, 'd', 'm', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 8, now() - interval '30 days', now()) returning id`,
    [teamId, gpuId],
  );
  await ensureRollupTimeZones(pgRunner(client));
});

afterAll(async () => {
  session?.close();
  await client?.end();
});

interface Window {
  windowStart: Date;
  windowSeconds: number;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  latencyKeys: number[];
  latencyCounts: number[];
  /** Percent with 2 places, or null when not reported. */
  avgGpuUtilizationPct: string | null;
  version: number;
  isDeleted?: number;
}

/** ClickHouse's DateTime64(3, 'UTC') text form. */
const chTime = (at: Date) => at.toISOString().replace("T", " ").replace("Z", "");

function insertClickhouse(table: string, windows: Window[]): void {
  const rows = windows.map((w) => JSON.stringify({ ...w, deploymentId, windowStart: chTime(w.windowStart) }));
  session.query(`INSERT INTO ${table} FORMAT JSONEachRow ${rows.join("\n")}`);
}

function selectJson<T>(sql: string): T[] {
  return session
    .query(sql, "JSONEachRow")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

async function insertPostgres(windows: Window[]): Promise<void> {
  await client.query("begin");
  try {
    for (const w of windows) {
      await client.query(
        `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens",
           "outputTokens", "latencyKeys", "latencyCounts", "avgGpuUtilizationPct", version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [deploymentId, w.windowStart, w.windowSeconds, w.requests, w.errors, w.inputTokens, w.cachedInputTokens, w.outputTokens,
          w.latencyKeys, w.latencyCounts, w.avgGpuUtilizationPct, w.version],
      );
    }
    const start = new Date(Math.min(...windows.map((w) => w.windowStart.getTime())));
    const end = new Date(Math.max(...windows.map((w) => w.windowStart.getTime() + w.windowSeconds * 1000)));
    await refreshUsageRollups(pgRunner(client), [{ deploymentId, start, end }]);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

/** A quarter-hour at least a day ago: well inside the retention horizon. */
const recentQuarter = () => Math.floor((Date.now() - 2 * 86_400_000) / QUARTER_MS) * QUARTER_MS;

describe("the raw-window table in ClickHouse", () => {
  it("has the schema's columns with the mapped types, plus the tombstone column", () => {
    const columns = selectJson<{ name: string; type: string }>(`DESCRIBE TABLE ${TABLE}`).map((c) => [c.name, c.type]);
    const expected = rawModel.fields.filter((f) => f.kind === "scalar").map((f) => [f.name, f.name === target.versionField ? "UInt32" : clickhouseType(f)]);
    expect(columns).toEqual([...expected, ["isDeleted", "UInt8"]]);
  });

  it("keeps one row per (deployment, start): a resend with a higher version replaces it, a tombstone deletes it", () => {
    const at = new Date(recentQuarter());
    const base: Window = {
      windowStart: at, windowSeconds: 300, requests: 100, errors: 1, inputTokens: 50_000, cachedInputTokens: 0, outputTokens: 9_000,
      latencyKeys: [310, 320], latencyCounts: [60, 39], avgGpuUtilizationPct: "41.50", version: 1,
    };
    // No background merge may collapse the two copies before the count below.
    session.query(`SYSTEM STOP MERGES ${TABLE}`);
    insertClickhouse(TABLE, [base, { ...base, windowStart: new Date(at.getTime() + 300_000) }]);
    insertClickhouse(TABLE, [{ ...base, requests: 120, outputTokens: 11_000, latencyKeys: [300], latencyCounts: [119], version: 2 }]);
    const key = `deploymentId = ${deploymentId} AND windowStart = '${chTime(at)}'`;
    expect(selectJson<{ n: number }>(`SELECT count() AS n FROM ${TABLE} WHERE ${key}`)[0]!.n).toBe(2);
    const [row] = selectJson<{ requests: number; outputTokens: number; latencyKeys: number[]; version: number }>(
      `SELECT requests, outputTokens, latencyKeys, version FROM ${TABLE} FINAL WHERE ${key}`,
    );
    expect(row).toEqual({ requests: 120, outputTokens: 11_000, latencyKeys: [300], version: 2 });
    session.query(`SYSTEM START MERGES ${TABLE}`);
    insertClickhouse(TABLE, [{ ...base, version: 3, isDeleted: 1 }]);
    expect(selectJson(`SELECT * FROM ${TABLE} FINAL WHERE ${key}`)).toEqual([]);
    expect(selectJson(`SELECT * FROM ${TABLE} FINAL WHERE deploymentId = ${deploymentId}`)).toHaveLength(1);
    session.query(`TRUNCATE TABLE ${TABLE}`);
  });

  it(`drops windows ${target.retentionDays} days after they end`, () => {
    const day = 86_400_000;
    const window = (endedDaysAgo: number): Window => ({
      windowStart: new Date(Math.floor((Date.now() - endedDaysAgo * day) / QUARTER_MS) * QUARTER_MS - 300_000), windowSeconds: 300,
      requests: 1, errors: 0, inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, latencyKeys: [], latencyCounts: [], avgGpuUtilizationPct: null, version: 1,
    });
    insertClickhouse(TABLE, [window(target.retentionDays + 5), window(target.retentionDays - 5)]);
    session.query(`OPTIMIZE TABLE ${TABLE} FINAL`);
    const left = selectJson<{ windowStart: string }>(`SELECT windowStart FROM ${TABLE}`).map((r) => r.windowStart);
    expect(left).toEqual([chTime(window(target.retentionDays - 5).windowStart)]);
    session.query(`TRUNCATE TABLE ${TABLE}`);
  });
});

// Windows inside one quarter (scrape windows: 1 and 5 minutes, aligned), some
// sent twice to ClickHouse with an older version first.
const valuesArb = fc.record({
  requests: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000_000 })),
  errorPermille: fc.integer({ min: 0, max: 200 }),
  inputPerRequest: fc.integer({ min: 1, max: 4_000 }),
  cachedPermille: fc.integer({ min: 0, max: 1_000 }),
  outputPerRequest: fc.integer({ min: 1, max: 2_000 }),
  latency: fc.uniqueArray(fc.tuple(fc.integer({ min: -200, max: 1_400 }), fc.integer({ min: 1, max: 50_000 })), { maxLength: 40, selector: ([key]) => key }),
  utilCentiPct: fc.option(fc.integer({ min: 0, max: 10_000 })),
  isResent: fc.boolean(),
});
type Values = typeof valuesArb extends fc.Arbitrary<infer V> ? V : never;
type Slot = { minute: number; seconds: number; values: Values }[];
const slotArb: fc.Arbitrary<Slot> = fc.oneof(
  fc.constant<Slot>([]),
  valuesArb.map((values) => [{ minute: 0, seconds: 300, values }]),
  fc
    .subarray([0, 1, 2, 3, 4], { minLength: 1 })
    .chain((minutes) => fc.tuple(...minutes.map(() => valuesArb)).map((vs) => vs.map((values, i) => ({ minute: minutes[i]!, seconds: 60, values })))),
);

function toWindow(startMs: number, seconds: number, v: Values): Window {
  const latency = v.requests === 0 ? [] : [...v.latency].sort(([a], [b]) => a - b);
  const inputTokens = v.requests * v.inputPerRequest;
  return {
    windowStart: new Date(startMs), windowSeconds: seconds, requests: v.requests, errors: Math.floor((v.requests * v.errorPermille) / 1000),
    inputTokens, cachedInputTokens: Math.floor((inputTokens * v.cachedPermille) / 1000), outputTokens: v.requests * v.outputPerRequest,
    latencyKeys: latency.map(([key]) => key), latencyCounts: latency.map(([, count]) => count),
    avgGpuUtilizationPct: v.utilCentiPct === null ? null : (v.utilCentiPct / 100).toFixed(2), version: 2,
  };
}

interface QuarterSums {
  bucketStartMs: string;
  windowCount: string;
  windowMs: string;
  idleMs: string;
  utilMs: string;
  utilCentiPctMs: string;
  requests: string;
  errors: string;
  inputTokens: string;
  cachedInputTokens: string;
  outputTokens: string;
  approxRequests: string;
  latencyKeys: number[];
  latencyCounts: string[];
}

/** The 15-minute rollup, computed by ClickHouse from the raw table (FINAL: the latest version of each window). */
function clickhouseQuarters(): QuarterSums[] {
  const traffic = "requests > 0 AND avgGpuUtilizationPct IS NOT NULL";
  return selectJson<Omit<QuarterSums, "latencyKeys" | "latencyCounts"> & { sketch: [number[], (number | string)[]] }>(`
    SELECT toString(toUnixTimestamp(toStartOfFifteenMinutes(windowStart)) * 1000) AS bucketStartMs,
      toString(count()) AS windowCount,
      toString(sum(windowSeconds) * 1000) AS windowMs,
      toString(sumIf(windowSeconds, requests = 0) * 1000) AS idleMs,
      toString(sumIf(windowSeconds, ${traffic}) * 1000) AS utilMs,
      toString(sumIf(toInt64(assumeNotNull(avgGpuUtilizationPct) * 100) * windowSeconds * 1000, ${traffic})) AS utilCentiPctMs,
      toString(sum(requests)) AS requests, toString(sum(errors)) AS errors, toString(sum(inputTokens)) AS inputTokens,
      toString(sum(cachedInputTokens)) AS cachedInputTokens, toString(sum(outputTokens)) AS outputTokens, '0' AS approxRequests,
      sumMap(latencyKeys, latencyCounts) AS sketch
    FROM ${TABLE} FINAL
    WHERE deploymentId = ${deploymentId}
    GROUP BY bucketStartMs
    ORDER BY bucketStartMs
    SETTINGS prefer_column_name_to_alias = 1`).map(({ sketch, ...sums }) => ({ ...sums, latencyKeys: sketch[0], latencyCounts: sketch[1].map(String) }));
}

async function postgresQuarters(): Promise<QuarterSums[]> {
  const { rows } = await client.query<QuarterSums>(
    `select (extract(epoch from "bucketStart") * 1000)::bigint::text as "bucketStartMs", "windowCount"::text, "windowMs"::text, "idleMs"::text,
       "utilMs"::text, ("utilPctMs" * 100)::bigint::text as "utilCentiPctMs", requests::text, errors::text, "inputTokens"::text,
       "cachedInputTokens"::text, "outputTokens"::text, "approxRequests"::text, "latencyKeys", "latencyCounts"::text[] as "latencyCounts"
     from usage_rollup_quarter where "deploymentId" = $1 order by "bucketStart"`,
    [deploymentId],
  );
  return rows;
}

describe("15-minute rollups from ClickHouse", () => {
  it("equal PostgreSQL's usage_rollup_quarter for the same windows, resends included", async () => {
    const base = recentQuarter() - 6 * 3_600_000;
    await fc.assert(
      fc.asyncProperty(fc.array(slotArb, { minLength: 6, maxLength: 30 }), async (slots) => {
        session.query(`TRUNCATE TABLE ${TABLE}`);
        await client.query(`delete from inference_usage_windows where "deploymentId" = $1`, [deploymentId]);
        await client.query(`delete from usage_rollup_quarter where "deploymentId" = $1`, [deploymentId]);
        const windows = slots.flatMap((slot, s) => slot.map((w) => ({ window: toWindow(base + s * 300_000 + w.minute * 60_000, w.seconds, w.values), isResent: w.values.isResent })));
        if (windows.length === 0) return;
        const stale = windows
          .filter((w) => w.isResent)
          .map(({ window }) => ({ ...window, requests: window.requests + 7, outputTokens: window.outputTokens + 1, latencyKeys: [999], latencyCounts: [3], version: 1 }));
        if (stale.length > 0) insertClickhouse(TABLE, stale);
        insertClickhouse(TABLE, windows.map((w) => w.window));
        await insertPostgres(windows.map((w) => w.window));
        const fromClickhouse = clickhouseQuarters();
        expect(fromClickhouse.length).toBeGreaterThan(0);
        expect(fromClickhouse).toEqual(await postgresQuarters());
      }),
      { numRuns: 10 },
    );
  });
});

describe("nothing in PostgreSQL depends on raw windows staying there", () => {
  it("has no foreign key, trigger, rule or view on inference_usage_windows", async () => {
    const { rows } = await client.query<{ kind: string; name: string }>(
      `select 'foreign key' as kind, conname::text as name from pg_constraint where contype = 'f' and confrelid = $1::text::regclass
       union all select 'trigger', tgname::text from pg_trigger where tgrelid = $1::text::regclass and not tgisinternal
       union all select 'rule', rulename::text from pg_rules where tablename = $1::text
       union all select 'view', v.oid::regclass::text from pg_depend d join pg_rewrite r on r.oid = d.objid join pg_class v on v.oid = r.ev_class
         where d.refobjid = $1::text::regclass and v.oid <> $1::text::regclass`,
      [TABLE],
    );
    expect(rows).toEqual([]);
  });
});
