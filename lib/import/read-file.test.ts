import { describe, expect, it } from "vitest";
import { IMPORT_COLUMNS, templateCsv } from "./columns";
import { trainingRunSchema } from "@/lib/validation/entities/training-run";
import { MAX_IMPORT_ROWS } from "./kinds";
import { readImportFile, type ImportReading } from "./read-file";
import type { ImportReferences } from "./references";
import { templateExamples } from "./template-examples";

const NOW = new Date("2026-11-20T12:00:00Z");
const references: ImportReferences = {
  teams: [{ id: 1, slug: "research" }, { id: 2, slug: "applied" }],
  gpuTypes: [{ id: 7, name: "H100 80GB" }],
  deployments: [
    { id: 11, name: "support-chat", activeFrom: new Date("2026-01-01T00:00:00Z"), activeTo: null },
    { id: 12, name: "old-chat", activeFrom: new Date("2026-01-01T00:00:00Z"), activeTo: new Date("2026-02-01T00:00:00Z") },
  ],
};

const read = (kind: "trainingRuns" | "usageWindows", text: string, timeZone = "UTC"): Promise<ImportReading> =>
  readImportFile({ kind, bytes: new TextEncoder().encode(text), references, timeZone, now: NOW });

const RUNS = "team,name,model,method,precision,gpu_type,provider,pricing_model,gpu_count,started_at,ended_at,status";
const run = (overrides: Partial<Record<string, string>> = {}) => {
  const values: Record<string, string> = {
    team: "research", name: "r1", model: "m", method: "LoRA", precision: "BF16", gpu_type: "H100 80GB", provider: "aws",
    pricing_model: "On-demand", gpu_count: "8", started_at: "2026-03-01 09:00", ended_at: "2026-03-01 17:00", status: "Succeeded", ...overrides,
  };
  return RUNS.split(",").map((h) => values[h]).join(",");
};

function issues(reading: ImportReading) {
  if (!reading.ok) throw new Error(reading.message);
  return reading.issues.map((i) => [i.row, i.column, i.message]);
}

describe("readImportFile: rows to values", () => {
  it("maps cells to the schema's exact values, labels and codes alike, with defaults for absent columns", async () => {
    const reading = await read("trainingRuns", [RUNS, run(), run({ name: "r2", method: "FULL_FINE_TUNE", pricing_model: "on demand", status: "succeeded" })].join("\n"), "Europe/Berlin");
    if (!reading.ok || reading.valid.kind !== "trainingRuns") throw new Error("expected runs");
    expect(reading.issues).toEqual([]);
    expect(reading.valid.rows[0]).toEqual({
      row: 2,
      values: expect.objectContaining({ teamId: 1, gpuTypeId: 7, method: "LORA", pricingModel: "ON_DEMAND", gpuCount: 8, startedAt: new Date("2026-03-01T08:00:00Z"), storageCostUsd: "0", gradientAccumulationSteps: 1, notes: null }),
    });
    expect(reading.valid.rows[1]!.values).toMatchObject({ method: "FULL_FINE_TUNE", pricingModel: "ON_DEMAND", status: "SUCCEEDED" });
  });

  it("numbers rows as a spreadsheet does: header row 1, empty lines counted, a multi-line cell one row", async () => {
    const text = [RUNS, run({ name: "a" }), "", run({ name: '"multi\nline"' }), ",,,,,,,,,,,", run({ name: "d", gpu_count: "0" })].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [4, "name", "Name must be one line of text"],
      [6, "gpu_count", "GPU count must be at least 1"],
    ]);
    expect(await read("trainingRuns", text)).toMatchObject({ ok: true, rowCount: 3 });
  });

  it("reports every problem of every row, in column order, under the file's own header names", async () => {
    const header = RUNS.replace("gpu_count", "GPU Count");
    const text = [header, run({ gpu_count: "-1", team: "nobody", started_at: "yesterday" }), run({ name: "r2", precision: "fp4" })].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [2, "team", 'No team "nobody" in this organization; use a team\'s slug (applied, research)'],
      [2, "GPU Count", "GPU count must be at least 1"],
      [2, "started_at", "Start must be a date and time like 2026-03-01 09:00 (in UTC) or 2026-03-01T09:00:00Z"],
      [3, "precision", "Precision must be one of FP32, FP16, BF16 or FP8"],
    ]);
  });

  it("puts cross-field problems on the column a person should change", async () => {
    const text = [RUNS, run({ status: "Running" }), run({ name: "r2", ended_at: "" }), run({ name: "r3", ended_at: "2026-03-01 08:00" })].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [2, "status", "A running run has no end time: choose Succeeded, Failed or Cancelled, or clear End"],
      [3, "ended_at", "A succeeded run needs an end time"],
      [4, "ended_at", "End must be after start"],
    ]);
  });

  it("names a blank reference and a duplicate natural key", async () => {
    const text = [RUNS, run({ team: "" }), run({ name: "r9" }), run({ name: "r9", model: "other" })].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [2, "team", "Team is required: a team slug such as research"],
      [4, "name", "Row 3 has the same team, name and start; a run can appear only once in a file"],
    ]);
  });

  it("takes text that starts like a spreadsheet formula as the forms take it (CSV output neutralizes it)", async () => {
    const texts: [name: string, model: string, notes: string][] = [
      ['=HYPERLINK("http://x","y")', "@SUM(A1)", "- lr warmup"],
      ["@home-run", "+1+1", "-lr warmup"],
      ["=cmd|' /C calc'!A0", "-m", "=SUM(1)\n+ second line"],
      // A cell neutralized by Burnrate's own export comes back with its quote, as text.
      ["'=SUM(1)", "'@model", "'-12.34"],
      ["\t-tabbed", "  =spaced  ", "\t+ indented note"],
    ];
    const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;
    const header = `${RUNS},notes`;
    const lines = texts.map(([name, model, notes]) => `${run({ name: cell(name), model: cell(model) })},${cell(notes)}`);
    const reading = await read("trainingRuns", [header, ...lines].join("\r\n"));
    if (!reading.ok || reading.valid.kind !== "trainingRuns") throw new Error("expected runs");
    expect(reading.issues).toEqual([]);
    const form = trainingRunSchema({ now: NOW });
    texts.forEach(([name, model, notes], i) => {
      const formValues = form.parse({ ...reading.valid.rows[i]!.values, name, model, notes });
      expect(reading.valid.rows[i]!.values).toMatchObject({ name: formValues.name, model: formValues.model, notes: formValues.notes });
    });
    expect(reading.valid.rows.map((r) => [r.values.name, r.values.model, r.values.notes])).toEqual([
      ['=HYPERLINK("http://x","y")', "@SUM(A1)", "- lr warmup"],
      ["@home-run", "+1+1", "-lr warmup"],
      ["=cmd|' /C calc'!A0", "-m", "=SUM(1)\n+ second line"],
      ["'=SUM(1)", "'@model", "'-12.34"],
      ["-tabbed", "=spaced", "+ indented note"],
    ]);
  });

  it("refuses in a text cell only what the form refuses", async () => {
    const text = [`${RUNS},notes`, `${run({ name: "=1+2" })},"${"x".repeat(5_001)}"`, `${run({ name: '"=line\nbreak"' })},@ok`].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [2, "notes", "Notes must be at most 5,000 characters"],
      [3, "name", "Name must be one line of text"],
    ]);
  });

  it("flags rows with too few or too many values and values under no header", async () => {
    const short = run().split(",").slice(0, 9).join(",");
    const text = [`${RUNS},`, short, `${run({ name: "r2" })},,extra`, `${run({ name: "r3" })},orphan`].join("\n");
    expect(issues(await read("trainingRuns", text))).toEqual([
      [2, "started_at", "This row has 9 values but the header has 13 columns; a comma or a quote is probably missing"],
      [3, "column 14", "This row has 14 values but the header has 13 columns; remove the extra values or quote the one that contains a comma"],
      [4, "column 13", "A value in a column with no header; name the column or remove the value"],
    ]);
  });

  it("checks usage windows against their deployment's active period", async () => {
    const header = "deployment,window_start,window_seconds,requests,input_tokens,output_tokens";
    const text = [header, "support-chat,2026-03-01 09:00,300,10,1,1", "old-chat,2026-03-01 09:00,300,10,1,1", "12,2026-01-31 23:58,300,10,1,1", "support-chat,2026-03-01T09:00:00Z,60,1,1,1"].join("\n");
    expect(issues(await read("usageWindows", text))).toEqual([
      [3, "window_start", "Window starts after the deployment stopped (2026-02-01 00:00 UTC)"],
      [4, "window_seconds", "Window ends after the deployment stopped (2026-02-01 00:00 UTC)"],
      [5, "window_start", "Row 2 has the same deployment and window start; a window can appear only once in a file"],
    ]);
  });
});

describe("readImportFile: file-level problems", () => {
  it("refuses a header with no rows, and a file of only empty lines after the header", async () => {
    expect(await read("trainingRuns", `${RUNS}\n`)).toEqual({ ok: false, message: "The file has a header row but no data rows." });
    expect(await read("trainingRuns", `${RUNS}\n\n,,,\n`)).toEqual({ ok: false, message: "The file has a header row but no data rows." });
    expect(await read("trainingRuns", "\n\n")).toMatchObject({ ok: false, message: expect.stringMatching(/^The first row must be the header row/) });
  });

  it("refuses more rows than one import takes", { timeout: 60_000 }, async () => {
    const text = `deployment,window_start,window_seconds,requests,input_tokens,output_tokens\n${"x,,,,,\n".repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(await read("usageWindows", text)).toEqual({ ok: false, message: "The file has more than 200,000 rows; at most 200,000 can be imported at once. Split it into smaller files." });
  });
});

describe("templateCsv", () => {
  it("has every column, and its example row imports cleanly once the org's names are filled in", async () => {
    for (const kind of ["trainingRuns", "usageWindows"] as const) {
      const text = templateCsv(kind, { team: "research", gpu_type: "H100 80GB", deployment: "support-chat" });
      expect(text.split("\r\n")[0]).toBe(IMPORT_COLUMNS[kind].map((c) => c.header).join(","));
      expect(await read(kind, text, "Europe/Berlin")).toMatchObject({ ok: true, rowCount: 1, issues: [] });
    }
  });

  it("quotes cells with commas and quotes, and neutralizes formula-looking examples, which import back as text", async () => {
    const text = templateCsv("trainingRuns", { notes: 'a "b", c', name: "=1+2", model: "-lr warmup", team: "research", gpu_type: "H100 80GB" });
    expect(text).toContain(",'=1+2,'-lr warmup,");
    expect(text).toContain('"a ""b"", c"');
    expect(text.endsWith("\r\n")).toBe(true);
    const reading = await read("trainingRuns", text);
    if (!reading.ok || reading.valid.kind !== "trainingRuns") throw new Error("expected runs");
    expect(reading.issues).toEqual([]);
    expect(reading.valid.rows[0]!.values).toMatchObject({ name: "'=1+2", model: "'-lr warmup", notes: 'a "b", c' });
  });
});

describe("templateExamples", () => {
  it("fills in the org's names and recent local times, so the downloaded template imports as it is", async () => {
    for (const kind of ["trainingRuns", "usageWindows"] as const) {
      const examples = templateExamples(kind, references, { now: NOW, timeZone: "America/Los_Angeles" });
      const reading = await readImportFile({ kind, bytes: new TextEncoder().encode(templateCsv(kind, examples)), references, timeZone: "America/Los_Angeles", now: NOW });
      expect(reading).toMatchObject({ ok: true, rowCount: 1, issues: [] });
    }
    expect(templateExamples("usageWindows", references, { now: NOW, timeZone: "UTC" })).toEqual({ deployment: "support-chat", window_start: "2026-11-19 12:00" });
    expect(templateExamples("trainingRuns", references, { now: NOW, timeZone: "UTC" })).toEqual({ team: "research", gpu_type: "H100 80GB", started_at: "2026-11-18 09:00", ended_at: "2026-11-18 17:30" });
  });

  it("keeps the example window clear of the deployment's stored traffic: after it when there is room, else before it", async () => {
    const example = (first: string, lastEnd: string) =>
      templateExamples("usageWindows", references, { now: NOW, timeZone: "UTC", storedWindows: { first: new Date(first), lastEnd: new Date(lastEnd) } }).window_start;
    expect(example("2026-06-01T00:00:00Z", "2026-11-10T12:03:00Z")).toBe("2026-11-10 13:00");
    expect(example("2026-06-01T00:00:00Z", "2026-11-20T11:55:00Z")).toBe("2026-05-31 23:00");
    // Traffic from the first hour to now: no clear hour, the default one.
    expect(example("2026-01-01T01:00:00Z", "2026-11-20T11:55:00Z")).toBe("2026-11-19 12:00");
  });
});
