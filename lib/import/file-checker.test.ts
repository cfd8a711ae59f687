import { describe, expect, it } from "vitest";
import { CHECKED_CHUNK_ROWS, type CheckedChunk, type CheckedFile } from "./check-file";
import { checkFileOffThread } from "./file-checker";
import { MAX_LISTED_ERRORS } from "./kinds";
import { readImportFile } from "./read-file";
import type { ImportReferences } from "./references";
import type { ValidRun } from "./rows";

// The streamed check (in a worker thread, or in-process for small files)
// finds what the whole-file read finds: the same valid rows, in order, in
// chunks of at most CHECKED_CHUNK_ROWS, the same problems, and every problem
// counted while only the first ones are kept.

const NOW = new Date("2026-11-20T12:00:00Z");
const references: ImportReferences = {
  teams: [{ id: 1, slug: "research" }],
  gpuTypes: [{ id: 7, name: "H100 80GB" }],
  deployments: [],
};
const HEADER = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status,notes";
const line = (i: number, gpus = "8") => `research,run-${i},m,LoRA,BF16,H100 80GB,aws,On-demand,${gpus},2026-03-01 09:00,2026-03-01 17:00,Succeeded,"note ${i}, quoted"`;
const encode = (lines: string[]) => new TextEncoder().encode(`${[HEADER, ...lines].join("\n")}\n`);

async function check(bytes: Uint8Array, inProcessBytes: number) {
  const chunks: CheckedChunk[] = [];
  const result: CheckedFile = await checkFileOffThread({
    kind: "trainingRuns",
    timeZone: "UTC",
    now: NOW,
    references,
    bytes,
    inProcessBytes,
    onChunk: async (chunk) => {
      chunks.push(chunk);
    },
  });
  const valid = chunks.flatMap((c) => (c.valid.kind === "trainingRuns" ? c.valid.rows : []));
  return { result, chunks, valid };
}

describe("checkFileOffThread", { timeout: 60_000 }, () => {
  // Every 7th row has a negative GPU count; each 1,000th repeats the run before it.
  const rows = Array.from({ length: 2_500 }, (_, i) => (i % 7 === 3 ? line(i, "-1") : line(i % 1_000 === 999 ? i - 1 : i)));
  const bytes = encode(rows);

  it("finds in a worker thread what the whole-file read finds, in chunks of at most 1,000 rows", async () => {
    const whole = await readImportFile({ kind: "trainingRuns", bytes, references, timeZone: "UTC", now: NOW });
    if (!whole.ok || whole.valid.kind !== "trainingRuns") throw new Error("expected runs");
    for (const inProcessBytes of [0, Infinity]) {
      const { result, chunks, valid } = await check(bytes, inProcessBytes);
      if (!result.ok) throw new Error(result.message);
      expect(result.rowCount).toBe(2_500);
      expect(result.issueCount).toBe(whole.issues.length);
      expect(result.issues).toEqual(whole.issues.slice(0, result.issues.length));
      expect(result.issues.length).toBeGreaterThanOrEqual(MAX_LISTED_ERRORS);
      // Only whole rows are kept: the last kept row's problems are all there.
      expect(whole.issues[result.issues.length]?.row).not.toBe(result.issues.at(-1)!.row);
      expect(valid).toEqual<ValidRun[]>(whole.valid.rows);
      expect(chunks.map((c) => c.checked)).toEqual([1_000, 2_000, 2_500]);
      expect(chunks.at(-1)!.estimatedTotal).toBe(2_500);
      expect(chunks.every((c) => c.valid.rows.length <= CHECKED_CHUNK_ROWS)).toBe(true);
    }
  });

  it("answers a file-level problem from the worker with its message", async () => {
    const badQuote = encode([...rows.slice(0, 2_200), 'research,run-"x",m', ...rows.slice(2_200)]);
    const { result, chunks } = await check(badQuote, 0);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Row 2,202, column "name": a quote appears in the middle of an unquoted value\./) });
    // The rows before it were checked and handed over as they were read.
    expect(chunks.map((c) => c.checked)).toEqual([1_000, 2_000]);
  });

  it("stops the worker when the consumer fails, with the consumer's error", async () => {
    const failing = checkFileOffThread({
      kind: "trainingRuns",
      timeZone: "UTC",
      now: NOW,
      references,
      bytes,
      inProcessBytes: 0,
      onChunk: () => Promise.reject(new Error("consumer failed")),
    });
    await expect(failing).rejects.toThrow("consumer failed");
  });
});
