import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrgFixture } from "@/lib/testing/org-fixture";
import { pgRunner } from "../sql";
import { findOverlaps, type BatchWindowKey } from "./record-batch";
import { findWindowClash } from "./usage-window-rules";

// The one overlap rule against every stored window: the checks read only the
// stored windows inside the new windows' span and the last one before it
// (stored windows never overlap one another), and must find exactly what a
// scan of all of them finds — long stored windows (up to days) included.

const BASE = Date.UTC(2026, 9, 1);
const MINUTE = 60_000;
let client: pg.Client;
const deployments: number[] = [];

beforeAll(async () => {
  const fixture = await createOrgFixture();
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  for (const name of ["a", "b"]) {
    const { rows } = await client.query<{ id: number }>(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-01-01', now()) returning id`,
      [fixture.teamId, `overlap-${name}`, fixture.gpuTypeId],
    );
    deployments.push(rows[0]!.id);
  }
});

afterAll(async () => {
  await client.end();
});

interface Span {
  deploymentId: number;
  start: number;
  seconds: number;
}

/** Stored windows of each deployment, one after another with gaps: never overlapping. */
const storedArb = fc.array(
  fc.record({ deployment: fc.integer({ min: 0, max: 1 }), gapMinutes: fc.integer({ min: 0, max: 3000 }), minutes: fc.integer({ min: 1, max: 4 * 24 * 60 }) }),
  { maxLength: 30 },
);
const fileArb = fc.array(
  fc.record({ deployment: fc.integer({ min: 0, max: 1 }), startMinute: fc.integer({ min: 0, max: 40 * 24 * 60 }), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }),
  { minLength: 1, maxLength: 12 },
);

async function store(stored: { deployment: number; gapMinutes: number; minutes: number }[]): Promise<Span[]> {
  await client.query(`delete from inference_usage_windows where "deploymentId" = any($1)`, [deployments]);
  const next = [BASE, BASE];
  const spans: Span[] = [];
  for (const s of stored) {
    const start = next[s.deployment]! + s.gapMinutes * MINUTE;
    spans.push({ deploymentId: deployments[s.deployment]!, start, seconds: s.minutes * 60 });
    next[s.deployment] = start + s.minutes * MINUTE;
  }
  for (const s of spans) {
    await client.query(
      `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, errors, "inputTokens", "cachedInputTokens", "outputTokens")
       values ($1, $2, $3, 1, 0, 1, 0, 1)`,
      [s.deploymentId, new Date(s.start), s.seconds],
    );
  }
  return spans;
}

/** The rule over every window (the file's, and the stored ones it doesn't replace), as findOverlaps states it. */
function oracle(file: BatchWindowKey[], stored: Span[]): string[] {
  type W = { r: number | null; deploymentId: number; start: number; seconds: number };
  const all: W[] = [
    ...file.map((f) => ({ r: f.row, deploymentId: f.deploymentId, start: f.windowStart.getTime(), seconds: f.windowSeconds })),
    ...stored.filter((s) => !file.some((f) => f.deploymentId === s.deploymentId && f.windowStart.getTime() === s.start)).map((s) => ({ r: null, ...s })),
  ];
  const found: string[] = [];
  for (const d of deployments) {
    const list = all.filter((w) => w.deploymentId === d).sort((a, b) => a.start - b.start);
    let earlier: [number, number, number, number] | null = null;
    for (const w of list) {
      if (earlier && earlier[0] > w.start / 1000 && (w.r !== null || earlier[3] > 0)) found.push(`${w.r}|${w.start}|${earlier[1] * 1000}|${earlier[3] || null}`);
      const mine: [number, number, number, number] = [(w.start + w.seconds * 1000) / 1000, w.start / 1000, w.seconds, w.r ?? 0];
      if (!earlier || mine.some((v, i) => v !== earlier![i]) && greater(mine, earlier)) earlier = mine;
    }
  }
  return found.sort();
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

describe("the overlap rule reads only what can overlap", () => {
  it("findOverlaps (batch writes) finds what a scan of every stored window finds", async () => {
    await fc.assert(
      fc.asyncProperty(storedArb, fileArb, fc.boolean(), async (storedPlan, filePlan, replaceOne) => {
        const stored = await store(storedPlan);
        const file: BatchWindowKey[] = filePlan.map((f, i) => ({
          row: i + 2,
          deploymentId: deployments[f.deployment]!,
          windowStart: new Date(BASE + f.startMinute * MINUTE),
          windowSeconds: f.minutes * 60,
        }));
        // A resend: a file row with a stored window's key replaces it.
        if (replaceOne && stored.length > 0) file.push({ row: file.length + 2, deploymentId: stored[0]!.deploymentId, windowStart: new Date(stored[0]!.start), windowSeconds: 60 });
        const unique = file.filter((f, i) => file.findIndex((g) => g.deploymentId === f.deploymentId && g.windowStart.getTime() === f.windowStart.getTime()) === i);
        const rows = await findOverlaps(pgRunner(client), unique);
        const got = rows.map((o) => `${o.r}|${o.windowStart.getTime()}|${Number(o.otherStart) * 1000}|${o.otherRow}`).sort();
        expect(got).toEqual(oracle(unique, stored));
      }),
      { numRuns: 60 },
    );
  });

  it("findWindowClash (a form's window) finds the first stored window a scan finds", async () => {
    await fc.assert(
      fc.asyncProperty(storedArb, fc.integer({ min: 0, max: 40 * 24 * 60 }), fc.integer({ min: 1, max: 3 * 24 * 60 }), fc.boolean(), async (storedPlan, startMinute, minutes, isEdit) => {
        const stored = await store(storedPlan);
        const deploymentId = deployments[0]!;
        const own = stored.filter((s) => s.deploymentId === deploymentId);
        const exceptStart = isEdit && own.length > 0 ? own[Math.floor(own.length / 2)]!.start : undefined;
        const start = BASE + startMinute * MINUTE;
        const end = start + minutes * MINUTE;
        const clash = await findWindowClash(pgRunner(client), {
          deploymentId,
          start: new Date(start),
          seconds: minutes * 60,
          ...(exceptStart !== undefined ? { exceptStart: new Date(exceptStart) } : {}),
          timeZone: "UTC",
        });
        const first = own.filter((s) => s.start !== exceptStart && s.start < end && s.start + s.seconds * 1000 > start).sort((a, b) => a.start - b.start)[0];
        expect(clash === null).toBe(first === undefined);
        if (first && clash) expect(clash.field).toBe(first.start === start ? "windowStart" : first.start < start ? "windowStart" : "windowSeconds");
        if (first && clash && first.start !== start) expect(clash.message).toContain(new Date(first.start).toISOString().slice(0, 10));
      }),
      { numRuns: 60 },
    );
  });
});
