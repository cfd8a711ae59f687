import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeViewer, type TeamRole, type Viewer } from "@/lib/access/viewer";
import { createPrismaClient, type PrismaClient } from "../create-client";
import { rollupRows } from "@/lib/testing/inference-records";
import { pgRunner } from "../sql";
import { commitImport, previewImport, type ImportFile } from "./imports";
import { ensureRollupTimeZones, rebuildUsageRollups } from "./usage-rollups";

// Imports against a real database: all-or-nothing commits, idempotent
// re-imports, audit entries and rollups written with the rows, and names
// resolved only within the viewer's org.

let sql: pg.Client;
let prisma: PrismaClient;
let viewer: Viewer;
const ids: Record<string, number> = {};
const NOW = new Date("2026-11-20T12:00:00Z");

/** A MEMBER of the org ("editor" user) with these team roles (by team slug). */
function memberOf(roles: [string, TeamRole][]): Viewer {
  return makeViewer({
    userId: ids.editor!,
    orgId: ids["org:mine"]!,
    orgName: "mine",
    orgTimeZone: "Europe/Berlin",
    role: "MEMBER",
    name: "Eddie",
    teamRoles: roles.map(([slug, role]) => [ids[`team:${slug}`]!, role]),
  });
}

const RUN_HEADER = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status,storage_cost_usd,notes";

function runsFile(lines: string[], name = "runs.csv"): ImportFile {
  return { kind: "trainingRuns", fileName: name, bytes: new TextEncoder().encode([RUN_HEADER, ...lines].join("\r\n")), timeZone: "Europe/Berlin" };
}

const runLine = (name: string, { team = "research", gpus = 8, start = "2026-10-01 09:00", end = "2026-10-01 17:30", gpu = "H100 80GB" } = {}) =>
  `${team},${name},llama-3-8b,LoRA,BF16,${gpu},aws,On-demand,${gpus},${start},${end},Succeeded,1.50,"note, with comma"`;

const WINDOW_HEADER = "deployment,window_start,window_seconds,requests,errors,input_tokens,output_tokens,latency_p50_ms,latency_p95_ms,latency_p99_ms";

function windowsFile(lines: string[]): ImportFile {
  return { kind: "usageWindows", fileName: "windows.csv", bytes: new TextEncoder().encode([WINDOW_HEADER, ...lines].join("\n")), timeZone: "UTC" };
}

/** `count` 5-minute windows of one deployment from `from`. */
function windowLines(deployment: string, from: number, count: number, requests = 100): string[] {
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(from + i * 300_000).toISOString();
    return `${deployment},${start},300,${requests + (i % 7)},${i % 3},${requests * 900},${requests * 300},120,300,${650 + (i % 5)}`;
  });
}

async function count(table: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from ${table}`);
  return Number(rows[0]!.n);
}

async function tableCounts() {
  return {
    runs: await count("training_runs"),
    windows: await count("inference_usage_windows"),
    audit: await count("audit_entries"),
    batches: await count("import_batches"),
  };
}

const rollupSnapshot = () => rollupRows(sql);

beforeAll(async () => {
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  prisma = createPrismaClient(process.env.DATABASE_URL!);
  const one = async (text: string, values: unknown[] = []) => (await sql.query<{ id: number }>(text, values)).rows[0]!.id;
  for (const org of ["mine", "other"]) {
    ids[`org:${org}`] = await one(`insert into orgs (slug, name, "timeZone") values ($1, $1, 'Europe/Berlin') returning id`, [org]);
  }
  ids.user = await one(`insert into users ("orgId", email, name, role) values ($1, 'a@x', 'Ada', 'ADMIN') returning id`, [ids["org:mine"]]);
  ids.editor = await one(`insert into users ("orgId", email, name, role) values ($1, 'e@x', 'Eddie', 'MEMBER') returning id`, [ids["org:mine"]]);
  viewer = makeViewer({ userId: ids.user, orgId: ids["org:mine"]!, orgName: "mine", orgTimeZone: "Europe/Berlin", role: "ADMIN", name: "Ada" });
  const team = (org: string, slug: string, tz: string) =>
    one(`insert into teams ("orgId", slug, name, "monthlyBudgetUsd", "timeZone", "updatedAt") values ($1, $2, $2, 1000, $3, now()) returning id`, [ids[`org:${org}`], slug, tz]);
  ids["team:research"] = await team("mine", "research", "Europe/London");
  ids["team:applied"] = await team("mine", "applied", "America/New_York");
  ids["team:intruder"] = await team("other", "intruder", "UTC");
  const gpu = (org: string, name: string) =>
    one(`insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, $2, 80, 989.5, 3350) returning id`, [ids[`org:${org}`], name]);
  ids["gpu:h100"] = await gpu("mine", "H100 80GB");
  ids["gpu:b200"] = await gpu("other", "B200");
  const deployment = (team: string, name: string, gpuId: number) =>
    one(
      `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
       values ($1, $2, 'm', 'VLLM', 'NONE', 'CONTINUOUS', $3, 'aws', 'ON_DEMAND', 1, '2026-01-01', now()) returning id`,
      [ids[`team:${team}`], name, gpuId],
    );
  ids["dep:chat"] = await deployment("research", "chat", ids["gpu:h100"]!);
  ids["dep:embed"] = await deployment("applied", "embed", ids["gpu:h100"]!);
  ids["dep:twin1"] = await deployment("research", "twin", ids["gpu:h100"]!);
  ids["dep:twin2"] = await deployment("applied", "twin", ids["gpu:h100"]!);
  ids["dep:foreign"] = await deployment("intruder", "foreign", ids["gpu:b200"]!);
  await ensureRollupTimeZones(pgRunner(sql));
});

afterAll(async () => {
  await prisma.$disconnect();
  await sql.end();
});

describe("training runs", () => {
  it("previews, commits, and re-imports without duplicating", async () => {
    const file = runsFile([runLine("sft-1"), runLine("sft-2", { gpus: 16 }), runLine("sft-3", { team: "applied" })]);
    const preview = await previewImport({ client: prisma, viewer, file, now: NOW });
    expect(preview).toMatchObject({ status: "checked", rowCount: 3, counts: { new: 3, updated: 0, unchanged: 0 }, errorCount: 0, errors: [] });
    if (preview.status !== "checked") throw new Error("unreachable");
    expect(preview.sample.rows[0]).toMatchObject({ row: 2, action: "new", cells: ["research", "sft-1", "llama-3-8b", "H100 80GB", "8", "2026-10-01 09:00", "2026-10-01 17:30", "Succeeded"] });
    expect(await tableCounts()).toEqual({ runs: 0, windows: 0, audit: 0, batches: 0 });

    const first = await commitImport({ client: prisma, viewer, file, now: NOW });
    expect(first).toMatchObject({ status: "committed", rowCount: 3, inserted: 3, updated: 0, unchanged: 0 });
    const { rows: runs } = await sql.query(`select name, "startedAt", "gpuCount", "storageCostUsd"::text as storage, notes, version from training_runs order by name`);
    // 09:00 in Berlin on 1 October (CEST, +02:00) is 07:00 UTC.
    expect(runs[0]).toEqual({ name: "sft-1", startedAt: new Date("2026-10-01T07:00:00Z"), gpuCount: 8, storage: "1.500000", notes: "note, with comma", version: 1 });
    const { rows: audit } = await sql.query(`select action, source, "importId", "entityType", before, after from audit_entries order by id`);
    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.action === "CREATE" && a.source === "import" && a.importId === (first as { batchId: number }).batchId && a.before === null)).toBe(true);
    expect(audit[0].after).toMatchObject({ name: "sft-1", gpuCount: 8, storageCostUsd: "1.5", startedAt: "2026-10-01T07:00:00.000Z", method: "LORA" });
    const { rows: [batch] } = await sql.query(`select kind, "fileName", "rowCount", inserted, updated, unchanged, "userId", length("fileSha256") as sha from import_batches`);
    expect(batch).toEqual({ kind: "trainingRuns", fileName: "runs.csv", rowCount: 3, inserted: 3, updated: 0, unchanged: 0, userId: ids.user, sha: 64 });

    const again = await commitImport({ client: prisma, viewer, file, now: NOW });
    expect(again).toMatchObject({ status: "committed", rowCount: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await tableCounts()).toMatchObject({ runs: 3, audit: 3, batches: 2 });
    expect((await sql.query(`select max(version) as v from training_runs`)).rows[0].v).toBe(1);

    const changed = runsFile([runLine("sft-1", { gpus: 32 }), runLine("sft-2", { gpus: 16 }), runLine("sft-3", { team: "applied" })]);
    expect(await previewImport({ client: prisma, viewer, file: changed, now: NOW })).toMatchObject({ counts: { new: 0, updated: 1, unchanged: 2 } });
    expect(await commitImport({ client: prisma, viewer, file: changed, now: NOW })).toMatchObject({ status: "committed", inserted: 0, updated: 1, unchanged: 2 });
    const { rows: [updated] } = await sql.query(`select "gpuCount", version from training_runs where name = 'sft-1'`);
    expect(updated).toEqual({ gpuCount: 32, version: 2 });
    const { rows: [entry] } = await sql.query(`select action, "changedFields", before->>'gpuCount' as before, after->>'gpuCount' as after from audit_entries order by id desc limit 1`);
    expect(entry).toEqual({ action: "UPDATE", changedFields: ["gpuCount"], before: "8", after: "32" });
  });

  it("writes nothing when a row fails in the database, even the last one", async () => {
    const before = await tableCounts();
    await sql.query(`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.name = 'boom' then raise exception 'refused by test trigger'; end if; return new; end $$`);
    await sql.query(`create trigger refuse_boom before insert on training_runs for each row execute function refuse_boom()`);
    try {
      const lines = Array.from({ length: 12_000 }, (_, i) => runLine(`bulk-${i}`, { start: `2026-09-${String(1 + (i % 28)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:${String(Math.floor(i / 24) % 60).padStart(2, "0")}:00Z`, end: "2026-10-30T00:00:00Z" }));
      const file = runsFile([...lines, runLine("boom")]);
      await expect(commitImport({ client: prisma, viewer, file, now: NOW })).rejects.toThrow(/refused by test trigger/);
    } finally {
      await sql.query(`drop trigger refuse_boom on training_runs; drop function refuse_boom()`);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("writes nothing when any row is invalid, and names the row and column of each problem", async () => {
    const before = await tableCounts();
    const file = runsFile([
      runLine("ok-1"),
      runLine("bad-gpus", { gpus: 0 }),
      runLine("=HYPERLINK(1)"),
      runLine("wrong-team", { team: "intruder" }),
      runLine("wrong-gpu", { gpu: "B200" }),
      runLine("ok-1"),
      runLine("dst-gap", { start: "2026-03-29 02:30", end: "2026-03-29 05:00" }),
    ]);
    const result = await commitImport({ client: prisma, viewer, file, now: NOW });
    expect(result.status).toBe("invalid-rows");
    if (result.status !== "invalid-rows") throw new Error("unreachable");
    // Row 4's formula-looking name is valid, as it is in the form (CSV output neutralizes it).
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([
      [3, "gpu_count"],
      [5, "team"],
      [6, "gpu_type"],
      [7, "name"],
      [8, "started_at"],
    ]);
    expect(result.errors[1]!.message).toMatch(/^No team "intruder" in this organization/);
    expect(result.errors[3]!.message).toBe("Row 2 has the same team, name and start; a run can appear only once in a file");
    expect(await tableCounts()).toEqual(before);
  });

  it("stores text that starts like a spreadsheet formula as the form does", async () => {
    const line = (name: string, notes: string) => runLine(name, { start: "2026-10-02 09:00", end: "2026-10-02 17:00" }).replace('"note, with comma"', notes);
    const file = runsFile([line('"=HYPERLINK(""http://x"",""y"")"', '"- lr warmup"'), line("@home-run", "+1"), line("'=SUM(1)", "-12.34")]);
    expect(await commitImport({ client: prisma, viewer, file, now: NOW })).toMatchObject({ status: "committed", rowCount: 3, inserted: 3 });
    const { rows } = await sql.query(`select name, notes from training_runs where "startedAt" = '2026-10-02T07:00:00Z' order by id`);
    expect(rows).toEqual([
      { name: '=HYPERLINK("http://x","y")', notes: "- lr warmup" },
      { name: "@home-run", notes: "+1" },
      { name: "'=SUM(1)", notes: "-12.34" },
    ]);
  });

  it("writes nothing when the only invalid row comes after thousands already written", async () => {
    const before = await tableCounts();
    const lines = Array.from({ length: 11_000 }, (_, i) => runLine(`late-${i}`, { start: new Date(Date.UTC(2026, 7, 1) + i * 60_000).toISOString(), end: "2026-10-30T00:00:00Z" }));
    let mostSaved = 0;
    const result = await commitImport({
      client: prisma,
      viewer,
      file: runsFile([...lines, runLine("late-bad", { gpus: -1 })]),
      now: NOW,
      onProgress: (p) => {
        if (p.phase === "importing") mostSaved = Math.max(mostSaved, p.saved);
      },
    });
    expect(result).toMatchObject({ status: "invalid-rows", rowCount: 11_001, errorCount: 1, errors: [{ row: 11_002, column: "gpu_count" }] });
    // Rows were written inside the transaction before the bad row was reached, and rolled back with it.
    expect(mostSaved).toBeGreaterThanOrEqual(10_000);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses a file-level problem with one message and writes nothing", async () => {
    const before = await tableCounts();
    const semicolons: ImportFile = { ...runsFile([]), bytes: new TextEncoder().encode("team;name;model\nresearch;x;y\n") };
    expect(await commitImport({ client: prisma, viewer, file: semicolons, now: NOW })).toEqual({
      status: "invalid-file",
      message: "This file is separated by semicolons; export it as comma-separated values (CSV UTF-8, comma delimited) and upload it again.",
    });
    const missing: ImportFile = { ...runsFile([]), bytes: new TextEncoder().encode("team,name\nresearch,x\n") };
    expect(await previewImport({ client: prisma, viewer, file: missing, now: NOW })).toMatchObject({ status: "invalid-file", message: expect.stringMatching(/^Missing required columns: "model", "method"/) });
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses (forbidden) anyone who may write no team, and writes nothing", async () => {
    const file = runsFile([runLine("nope")]);
    const before = await tableCounts();
    for (const member of [memberOf([]), memberOf([["research", "VIEWER"], ["applied", "VIEWER"]])]) {
      expect(await previewImport({ client: prisma, viewer: member, file, now: NOW })).toMatchObject({ status: "denied", denied: { kind: "forbidden" } });
      expect(await commitImport({ client: prisma, viewer: member, file, now: NOW })).toMatchObject({ status: "denied", denied: { kind: "forbidden" } });
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("imports into the teams the person edits, and rejects the whole file for a row of a team they only view or can't see", async () => {
    const editor = memberOf([["research", "EDITOR"], ["applied", "VIEWER"]]);
    const mine = runsFile([runLine("team-ok-1"), runLine("team-ok-2")]);
    expect(await commitImport({ client: prisma, viewer: editor, file: mine, now: NOW })).toMatchObject({ status: "committed", inserted: 2 });
    const { rows: [batch] } = await sql.query(`select "userId" from import_batches order by id desc limit 1`);
    expect(batch.userId).toBe(ids.editor);

    const before = await tableCounts();
    const mixed = runsFile([runLine("team-ok-3"), runLine("team-ro", { team: "applied" })]);
    const preview = await previewImport({ client: prisma, viewer: editor, file: mixed, now: NOW });
    if (preview.status !== "checked") throw new Error(JSON.stringify(preview));
    expect(preview.errors.map((e) => [e.row, e.column, e.message])).toEqual([[3, "team", `You can't import into team "applied": your role there is Viewer (a team editor or admin can)`]]);
    expect(await commitImport({ client: prisma, viewer: editor, file: mixed, now: NOW })).toMatchObject({ status: "invalid-rows", errorCount: 1 });

    // A team the person can't see is an unknown team, worded as for a team that doesn't exist.
    const researchOnly = memberOf([["research", "EDITOR"]]);
    const hidden = runsFile([runLine("team-ok-4"), runLine("team-hidden", { team: "applied" })]);
    const refused = await commitImport({ client: prisma, viewer: researchOnly, file: hidden, now: NOW });
    if (refused.status !== "invalid-rows") throw new Error(JSON.stringify(refused));
    expect(refused.errors.map((e) => [e.row, e.column, e.message])).toEqual([[3, "team", 'No team "applied" in this organization; use a team\'s slug (research)']]);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("usage windows", () => {
  const from = Date.UTC(2026, 2, 28, 0, 0); // across the 29 March European DST change

  it("imports windows with their rollups, equal to a rebuild from raw, and re-imports as unchanged", async () => {
    const file = windowsFile([...windowLines("chat", from, 600), ...windowLines(String(ids["dep:twin2"]), from, 50), ...windowLines("embed", from + 3600_000, 100)]);
    const preview = await previewImport({ client: prisma, viewer, file, now: NOW });
    expect(preview).toMatchObject({ status: "checked", rowCount: 750, counts: { new: 750, updated: 0, unchanged: 0 }, errorCount: 0 });
    const result = await commitImport({ client: prisma, viewer, file, now: NOW });
    expect(result).toMatchObject({ status: "committed", inserted: 750 });
    const { rows: audit } = await sql.query(`select "subjectType", "subjectId", "entityId" from audit_entries where "entityType" = 'usageWindow' order by id limit 1`);
    expect(audit[0]).toEqual({ subjectType: "inferenceDeployment", subjectId: String(ids["dep:chat"]), entityId: `${ids["dep:chat"]}@${new Date(from).toISOString()}` });

    const incremental = await rollupSnapshot();
    expect(JSON.parse(incremental)[0].length).toBeGreaterThan(0);
    await rebuildUsageRollups(pgRunner(sql));
    expect(await rollupSnapshot()).toEqual(incremental);

    const auditBefore = await count("audit_entries");
    expect(await commitImport({ client: prisma, viewer, file, now: NOW })).toMatchObject({ status: "committed", inserted: 0, updated: 0, unchanged: 750 });
    expect(await count("audit_entries")).toBe(auditBefore);

    // The last window grows longer (the old and the new span are refreshed); the rollups still equal a rebuild.
    const longer = windowsFile([`chat,${new Date(from + 599 * 300_000).toISOString()},3600,5000,0,1000,1000,,,`]);
    expect(await commitImport({ client: prisma, viewer, file: longer, now: NOW })).toMatchObject({ status: "committed", updated: 1 });
    const afterUpdate = await rollupSnapshot();
    await rebuildUsageRollups(pgRunner(sql));
    expect(await rollupSnapshot()).toEqual(afterUpdate);

    // Scattered changes (every 97th window, and two neighbours): each is refreshed around itself, and the rollups
    // still equal a rebuild.
    const scattered = windowLines("chat", from, 599, 200).filter((_, i) => i % 97 === 0 || i === 301 || i === 302);
    expect(await commitImport({ client: prisma, viewer, file: windowsFile(scattered), now: NOW })).toMatchObject({ status: "committed", updated: scattered.length });
    const afterScattered = await rollupSnapshot();
    await rebuildUsageRollups(pgRunner(sql));
    expect(await rollupSnapshot()).toEqual(afterScattered);
  });

  it("reads a latency histogram column into the window's sketch, refusing a malformed one by row and column", async () => {
    const header = "deployment,window_start,window_seconds,requests,errors,input_tokens,output_tokens,latency_histogram_ms";
    const start = Date.UTC(2026, 5, 1, 0, 0);
    const file = (lines: string[]): ImportFile => ({ kind: "usageWindows", fileName: "histograms.csv", bytes: new TextEncoder().encode([header, ...lines].join("\n")), timeZone: "UTC" });
    const bad = await commitImport({
      client: prisma,
      viewer,
      file: file([`chat,${new Date(start).toISOString()},300,100,0,9000,3000,50:40 100:30`, `chat,${new Date(start + 300_000).toISOString()},300,100,0,9000,3000,50:40 +Inf:120`]),
      now: NOW,
    });
    expect(bad).toMatchObject({
      status: "invalid-rows",
      errors: [
        { row: 2, column: "latency_histogram_ms", message: "Latency histogram counts are cumulative, so they can't decrease (bucket 2)" },
        { row: 3, column: "latency_histogram_ms", message: "Latency histogram counts 120 requests, more than the window's 100" },
      ],
    });
    const good = await commitImport({ client: prisma, viewer, file: file([`chat,${new Date(start).toISOString()},300,100,0,9000,3000,50:20 100:70 250:95 +Inf:100`]), now: NOW });
    expect(good).toMatchObject({ status: "committed", inserted: 1 });
    const { rows } = await sql.query<{ total: number; p50: string | null }>(
      `select (select sum(c)::int from unnest("latencyCounts") c) as total, "latencyP50Ms"::text as p50 from inference_usage_windows where "windowStart" = $1`,
      [new Date(start)],
    );
    expect(rows).toEqual([{ total: 100, p50: null }]);
    const incremental = await rollupSnapshot();
    await rebuildUsageRollups(pgRunner(sql));
    expect(await rollupSnapshot()).toEqual(incremental);
  });

  it("refuses windows that overlap each other or stored usage, as the usage form does", async () => {
    const base = Date.UTC(2026, 8, 1);
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    expect(await commitImport({ client: prisma, viewer, file: windowsFile([`chat,${at(120)},300,1,0,1,1,,,`]), now: NOW })).toMatchObject({ status: "committed", inserted: 1 });
    const before = await tableCounts();
    const file = windowsFile([
      `chat,${at(0)},600,1,0,1,1,,,`,
      `chat,${at(5)},300,1,0,1,1,,,`,
      `chat,${at(60)},300,1,0,1,1,,,`,
      `chat,${at(117)},300,1,0,1,1,,,`,
      `chat,${at(122)},300,1,0,1,1,,,`,
    ]);
    const rule = "periods of one deployment can't overlap, or their traffic would count twice";
    const expected = [
      [3, "window_start", `Overlaps row 2 (2026-09-01 00:00–2026-09-01 00:10 (UTC)); ${rule}`],
      [5, "window_seconds", `Runs into the usage recorded for 2026-09-01 02:00–2026-09-01 02:05 (UTC); ${rule}`],
      [6, "window_start", `Overlaps the usage recorded for 2026-09-01 02:00–2026-09-01 02:05 (UTC); ${rule}`],
    ];
    const preview = await previewImport({ client: prisma, viewer, file, now: NOW });
    if (preview.status !== "checked") throw new Error(JSON.stringify(preview));
    expect(preview.errors.map((e) => [e.row, e.column, e.message])).toEqual(expected);
    const result = await commitImport({ client: prisma, viewer, file, now: NOW });
    if (result.status !== "invalid-rows") throw new Error(JSON.stringify(result));
    expect(result.errors.map((e) => [e.row, e.column, e.message])).toEqual(expected);
    expect(await tableCounts()).toEqual(before);
  });

  it("rolls everything back when the commit fails midway", async () => {
    const before = await tableCounts();
    const rollups = await rollupSnapshot();
    const file = windowsFile(windowLines("embed", Date.UTC(2026, 5, 1), 12_000));
    await expect(
      commitImport({
        client: prisma,
        viewer,
        file,
        now: NOW,
        onProgress: (progress) => {
          // After two chunks are saved, with more still to check and write.
          if (progress.phase === "importing" && progress.saved >= 10_000) throw new Error("injected failure");
        },
      }),
    ).rejects.toThrow("injected failure");
    expect(await tableCounts()).toEqual(before);
    expect(await rollupSnapshot()).toEqual(rollups);
  });

  it("resolves deployments by name or id within the org only, and asks for the id when a name repeats", async () => {
    const start = new Date(Date.UTC(2026, 6, 1)).toISOString();
    const file = windowsFile([
      `twin,${start},300,1,0,1,1,,,`,
      `foreign,${start},300,1,0,1,1,,,`,
      `${ids["dep:foreign"]},${start},300,1,0,1,1,,,`,
      `chat,2025-12-31T23:00:00Z,300,1,0,1,1,,,`,
      `chat,${start},300,1,0,1,1,5,,`,
    ]);
    const preview = await previewImport({ client: prisma, viewer, file, now: NOW });
    if (preview.status !== "checked") throw new Error(JSON.stringify(preview));
    expect(preview.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [2, "deployment", `2 deployments are named "twin" (ids ${ids["dep:twin1"]}, ${ids["dep:twin2"]}); write the id of the one you mean instead of its name`],
      [3, "deployment", 'No deployment named "foreign" in this organization'],
      [4, "deployment", `No deployment with id ${ids["dep:foreign"]} in this organization`],
      [5, "window_start", "Window starts before the deployment went live (2026-01-01 00:00 UTC)"],
      [6, "latency_p95_ms", "Enter p95 latency too, or leave all three latency percentiles empty"],
      [6, "latency_p99_ms", "Enter p99 latency too, or leave all three latency percentiles empty"],
    ]);
  });

  it("takes usage only for deployments of teams the person edits: another team's is unknown, a viewed team's names the team", async () => {
    const start = new Date(Date.UTC(2026, 7, 1)).toISOString();
    const before = await tableCounts();
    const editor = memberOf([["research", "EDITOR"]]);
    const file = windowsFile([`chat,${start},300,1,0,1,1,,,`, `embed,${start},300,1,0,1,1,,,`, `${ids["dep:embed"]},${start},300,1,0,1,1,,,`]);
    const refused = await commitImport({ client: prisma, viewer: editor, file, now: NOW });
    if (refused.status !== "invalid-rows") throw new Error(JSON.stringify(refused));
    expect(refused.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [3, "deployment", 'No deployment named "embed" in this organization'],
      [4, "deployment", `No deployment with id ${ids["dep:embed"]} in this organization`],
    ]);
    const viewerOfApplied = memberOf([["research", "EDITOR"], ["applied", "VIEWER"]]);
    const viewed = await commitImport({ client: prisma, viewer: viewerOfApplied, file: windowsFile([`embed,${start},300,1,0,1,1,,,`]), now: NOW });
    if (viewed.status !== "invalid-rows") throw new Error(JSON.stringify(viewed));
    expect(viewed.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [2, "deployment", `Deployment "embed" belongs to team "applied". You can't import into team "applied": your role there is Viewer (a team editor or admin can)`],
    ]);
    expect(await tableCounts()).toEqual(before);
    expect(await commitImport({ client: prisma, viewer: editor, file: windowsFile([`chat,${start},300,1,0,1,1,,,`]), now: NOW })).toMatchObject({ status: "committed", inserted: 1 });
  });
});
