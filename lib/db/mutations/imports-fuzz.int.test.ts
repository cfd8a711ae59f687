import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "@/lib/access/viewer";
import { IMPORT_COLUMNS } from "@/lib/import/columns";
import type { ImportKind } from "@/lib/import/kinds";
import { createOrgFixture, tableCounts } from "@/lib/testing/org-fixture";
import { createPrismaClient, type PrismaClient } from "../create-client";
import { commitImport, previewImport, type ImportCommit, type ImportFile, type ImportPreview } from "./imports";

// Random and hostile files thrown at the import: it never throws, every
// problem names a row and a column (or the file as a whole), a rejected
// commit leaves every table as it was, and a preview without problems is
// exactly a file the commit takes.

const NOW = new Date("2026-11-20T12:00:00Z");
let prisma: PrismaClient;
let viewer: Viewer;
let deploymentId: number;

beforeAll(async () => {
  const fixture = await createOrgFixture();
  viewer = fixture.viewer;
  prisma = createPrismaClient(process.env.DATABASE_URL!);
  const sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
  const { rows } = await sql.query<{ id: number }>(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "updatedAt")
     values ($1, 'support-chat', 'm', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 1, '2026-01-01', now()) returning id`,
    [fixture.teamId, fixture.gpuTypeId],
  );
  deploymentId = rows[0]!.id;
  await sql.end();
});

afterAll(async () => {
  await prisma.$disconnect();
});

const HOSTILE = [
  "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C notepad'!A0", "@A1", "=HYPERLINK(\"http://x\")",
  "\u0000", "a\u0000b", "NaN", "Infinity", "-Infinity", "1e309", "1E3", "9".repeat(40), "-9".repeat(20), "-0", "0x1F", "1,000", "$12.50", "12.5.6", "3.0000001",
  "🚀🔥", "👩🏽‍🔬", "ｒｅｓｅａｒｃｈ", "\u202eevil", "\ufeffresearch", "\r\n", "\n", "\r", '"', '""', ",", ";", "\t", " ", "", "null", "undefined",
  "true", "yes", "2026-02-30 09:00", "2026-03-29 02:30", "2026-10-25 01:30", "1999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "2026-13-01T00:00Z",
  "2026-03-01T09:00:00+99:99", "<script>alert(1)</script>", "'; drop table training_runs; --", "\\", "a".repeat(5_001), "research ", "RESEARCH", "h100 80gb",
];

const cell = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
);

/** A cell as a CSV writer might (quoted) or might not (raw, possibly breaking the row) write it. */
const encoded = (value: string, isQuoted: boolean) => (isQuoted ? `"${value.replace(/"/g, '""')}"` : value);

function validRow(kind: ImportKind, index: number, seed: number): Record<string, string> {
  if (kind === "trainingRuns") {
    const start = new Date(Date.UTC(2026, 8, 1) + (seed % 1000) * 3_600_000 + index * 60_000);
    return {
      team: index % 2 ? "research" : "applied", name: `fuzz-${seed}-${index}`, model: "llama", parameter_count: "8000000000", method: "LoRA", precision: "BF16",
      gradient_checkpointing: "yes", flash_attention: "no", zero_stage: "2", gradient_accumulation_steps: "4", gpu_type: "H100 80GB", provider: "aws",
      pricing_model: "On-demand", gpu_count: "8", started_at: start.toISOString(), ended_at: new Date(start.getTime() + 7_200_000).toISOString(),
      status: "Succeeded", tokens_processed: "1000", throughput_tokens_per_sec: "12.5", avg_gpu_utilization_pct: "80", price_per_gpu_hour_override: "",
      storage_cost_usd: "1.5", data_cost_usd: "0", network_cost_usd: "0", notes: "ok",
    };
  }
  const start = new Date(Date.UTC(2026, 5, 1) + (seed % 1000) * 300_000 * 20 + index * 300_000);
  return {
    deployment: index % 2 ? "support-chat" : String(deploymentId), window_start: start.toISOString(), window_seconds: "300", requests: "100", errors: "1",
    input_tokens: "1000", cached_input_tokens: "10", output_tokens: "500", latency_p50_ms: "100", latency_p95_ms: "200", latency_p99_ms: "300", avg_gpu_utilization_pct: "50",
  };
}

const fileArb = fc.record({
  kind: fc.constantFrom<ImportKind>("trainingRuns", "usageWindows"),
  seed: fc.nat(),
  // A third of the files keep their rows valid (only the layout varies), so commits that succeed are fuzzed too.
  isHostile: fc.constantFrom(true, true, false),
  isShuffled: fc.boolean(),
  isAllColumns: fc.boolean(),
  rows: fc.array(
    fc.record({
      // Cells replaced by hostile values: column position → value and whether the writer quoted it.
      mutations: fc.array(fc.tuple(fc.nat(), cell, fc.boolean()), { maxLength: 3 }),
      extraCells: fc.array(cell, { maxLength: 2 }),
      isTruncated: fc.boolean(),
    }),
    { minLength: 0, maxLength: 12 },
  ),
  newline: fc.constantFrom("\n", "\r\n", "\r"),
  blankLines: fc.nat({ max: 2 }),
  hasBom: fc.boolean(),
});

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function buildFile(spec: FileSpec): ImportFile {
  const columns = IMPORT_COLUMNS[spec.kind].filter((c) => spec.isAllColumns || c.isRequired).map((c) => c.header);
  if (spec.isShuffled) columns.reverse();
  const lines = [columns.join(",")];
  spec.rows.forEach((row, index) => {
    const values = validRow(spec.kind, index, spec.seed);
    const cells = columns.map((h) => encoded(values[h] ?? "", /[",\r\n]/.test(values[h] ?? "")));
    if (spec.isHostile) for (const [position, value, isQuoted] of row.mutations) cells[position % cells.length] = encoded(value, isQuoted);
    const written = !spec.isHostile ? cells : row.isTruncated && row.mutations.length > 0 ? cells.slice(0, -1) : [...cells, ...row.extraCells.map((c) => encoded(c, true))];
    lines.push(written.join(","));
    if (index < spec.blankLines) lines.push("");
  });
  const text = lines.join(spec.newline);
  const bytes = new TextEncoder().encode(spec.hasBom ? `\ufeff${text}` : text);
  return { kind: spec.kind, fileName: `fuzz-${spec.seed}.csv`, bytes, timeZone: "Europe/Berlin" };
}

function expectWellFormed(result: ImportPreview | ImportCommit) {
  if (result.status === "invalid-file") {
    expect(result.message.length).toBeGreaterThan(10);
    return;
  }
  if (result.status === "committed") return;
  if (result.status === "denied") throw new Error(`An org admin's import was refused: ${result.denied.message}`);
  for (const issue of result.errors) {
    expect(Number.isInteger(issue.row) && issue.row >= 2).toBe(true);
    expect(issue.column.trim().length).toBeGreaterThan(0);
    expect(issue.message.trim().length).toBeGreaterThan(0);
  }
  expect(result.errorCount).toBeGreaterThanOrEqual(result.errors.length);
}

async function checkFile(file: ImportFile): Promise<void> {
  const before = await tableCounts();
  const preview = await previewImport({ client: prisma, viewer, file, now: NOW });
  expectWellFormed(preview);
  expect(await tableCounts()).toEqual(before);
  const result = await commitImport({ client: prisma, viewer, file, now: NOW });
  expectWellFormed(result);
  const isClean = preview.status === "checked" && preview.errorCount === 0;
  expect(result.status === "committed").toBe(isClean);
  if (result.status === "committed") {
    expect(result.inserted + result.updated + result.unchanged).toBe(result.rowCount);
    if (preview.status === "checked") expect(result.inserted).toBeLessThanOrEqual(preview.counts.new);
  } else {
    expect(await tableCounts()).toEqual(before);
  }
}

describe("import fuzzing", () => {
  // 150 previews and commits in a real database: on a busy 2-core machine that can take well over the default minute.
  it("survives valid rows with hostile cells, broken quoting, ragged rows, CR/CRLF/LF and empty lines", { timeout: 300_000 }, async () => {
    await fc.assert(fc.asyncProperty(fileArb, (spec) => checkFile(buildFile(spec))), { numRuns: 150 });
  });

  it("survives arbitrary bytes and arbitrary text, with or without a valid header", { timeout: 300_000 }, async () => {
    const header = fc.constantFrom("", IMPORT_COLUMNS.usageWindows.map((c) => c.header).join(",") + "\n", "team,name\n");
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.string({ unit: "binary", maxLength: 600 }).map((s) => new TextEncoder().encode(s)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<ImportKind>("trainingRuns", "usageWindows"), header, body, async (kind, head, rest) => {
        const bytes = new Uint8Array([...new TextEncoder().encode(head), ...rest]);
        await checkFile({ kind, fileName: "random.bin", bytes, timeZone: "UTC" });
      }),
      { numRuns: 120 },
    );
  });

  it("stores a hostile file name without trouble", async () => {
    const file = buildFile({ kind: "usageWindows", seed: 1, isHostile: false, isShuffled: false, isAllColumns: false, rows: [{ mutations: [], extraCells: [], isTruncated: false }], newline: "\n", blankLines: 0, hasBom: false });
    await checkFile({ ...file, fileName: "evil\u0000name\r\n=cmd.csv" });
  });
});
