import type { z } from "zod";
import { trainingRunSchema, type TrainingRunValues } from "@/lib/validation/entities/training-run";
import { usageWindowSchema, type UsageWindowValues } from "@/lib/validation/entities/usage-window";
import { IMPORT_COLUMNS } from "./columns";
import type { HeaderMap } from "./header";
import type { ImportIssue, ImportKind } from "./kinds";
import { instantReader } from "./local-time";
import { readHistogramCell, type HistogramCell } from "./histogram-cell";
import { referenceResolver, type ImportReferences, type Resolution } from "./references";

/**
 * Row → entity values. Each cell goes to the entity's own schema (the one the
 * forms and the API use); the import adds only what is particular to a file:
 * names of teams, GPU types and deployments resolved to ids, times without an
 * offset read in the chosen zone, and one record per natural key. Free text
 * is taken as the forms take it, a name "=HYPERLINK(…)" or a note
 * "- lr warmup" included: it is neutralized wherever Burnrate writes CSV
 * (lib/reports/csv.ts), not refused here. Every problem is reported with its
 * row and column, and every row is checked, however many fail.
 */

export interface DataRow {
  /** As a spreadsheet numbers rows: the header is row 1. */
  row: number;
  cells: string[];
}

export interface ValidRun {
  row: number;
  values: TrainingRunValues;
}

export interface ValidWindow {
  row: number;
  /** With the latency sketch of a `latency_histogram_ms` cell, when the row has one. */
  values: UsageWindowValues & { latencyKeys?: number[]; latencyCounts?: number[] };
}

export type ValidRows = { kind: "trainingRuns"; rows: ValidRun[] } | { kind: "usageWindows"; rows: ValidWindow[] };

export interface RowValidationOptions {
  kind: ImportKind;
  header: HeaderMap;
  references: ImportReferences;
  /** IANA zone for times written without an offset (already validated). */
  timeZone: string;
  now: Date;
  /** Problems kept to be listed: those of the rows up to the one that reaches this many (all are counted). Default: all. */
  listedIssues?: number;
}

export interface RowValidator {
  /** Checks a slice of rows (call in order; slices let the caller report progress and write as it goes). */
  validate(rows: readonly DataRow[]): void;
  /** Problems found so far. */
  issueCount(): number;
  /** The valid rows found since the last call (the validator lets go of them). */
  takeValid(): ValidRows;
  /** A problem found outside the row checks (e.g. against stored records), placed under the field's column. */
  issue(row: number, field: string, message: string): ImportIssue;
  /** The valid rows not taken yet, and the problems kept (in row order; see `listedIssues`). */
  result(): { valid: ValidRows; issues: ImportIssue[] };
}

/** Natural keys, as the database's unique keys compare them. */
export const runKey = (v: Pick<TrainingRunValues, "teamId" | "name" | "startedAt">) => `${v.teamId}|${v.startedAt.getTime()}|${v.name}`;
export const windowKey = (v: Pick<UsageWindowValues, "deploymentId" | "windowStart">) => `${v.deploymentId}|${v.windowStart.getTime()}`;

const REQUIRED_REFERENCE: Record<string, string> = {
  teamId: "Team is required: a team slug such as research",
  gpuTypeId: "GPU type is required: a name from the price catalog",
  deploymentId: "Deployment is required: its name or id",
};

type AnySchema = z.ZodType<unknown>;

/** A problem with a row's field, under the file's own column for it when it has one (`order` sorts a row's problems). */
function placedIssue(kind: ImportKind, header: HeaderMap, row: number, field: string, message: string): ImportIssue & { order: number } {
  const mapped = header.columns.find((c) => c.spec.field === field);
  if (mapped) return { row, column: mapped.title, columnIndex: mapped.index + 1, message, order: mapped.index };
  const specs = IMPORT_COLUMNS[kind];
  const at = Math.max(0, specs.findIndex((s) => s.field === field));
  return { row, column: specs[at]!.header, columnIndex: null, message, order: header.width + at };
}

/** A problem found outside the row checks (e.g. against stored records), placed under the field's column. */
export function importIssue(kind: ImportKind, header: HeaderMap, row: number, field: string, message: string): ImportIssue {
  const { order: _order, ...issue } = placedIssue(kind, header, row, field, message);
  return issue;
}

export function rowValidator({ kind, header, references, timeZone, now, listedIssues = Infinity }: RowValidationOptions): RowValidator {
  const resolver = referenceResolver(references);
  const instants = instantReader(timeZone);
  const specs = IMPORT_COLUMNS[kind];
  // One schema for every row (usageWindowRules in usage-window.ts explains why): a window is checked against its deployment's period, and
  // a window whose deployment is unknown field by field only, against no particular period.
  const rowSchema: AnySchema = kind === "trainingRuns" ? trainingRunSchema({ now }) : usageWindowSchema({ now, deployment: (id) => resolver.deploymentById(id) });
  const firstRowOfKey = new Map<string, number>();
  const issues: ImportIssue[] = [];
  let issueTotal = 0;
  let validRuns: ValidRun[] = [];
  let validWindows: ValidWindow[] = [];

  const resolve = (field: string, text: string): Resolution =>
    field === "teamId" ? resolver.team(text) : field === "gpuTypeId" ? resolver.gpuType(text) : resolver.deployment(text);

  const issueAt = (row: number, field: string, message: string) => placedIssue(kind, header, row, field, message);

  let histogramText: string | undefined;

  function checkRow({ row, cells }: DataRow): void {
    const rowIssues: (ImportIssue & { order: number })[] = [];
    const input: Record<string, unknown> = {};
    const failed = new Set<string>();
    const fail = (field: string, message: string) => {
      failed.add(field);
      rowIssues.push(issueAt(row, field, message));
    };

    if (cells.length < header.width) {
      // One message for the short row, not one "required" per missing cell.
      const missing = header.columns.filter((c) => c.index >= cells.length).sort((a, b) => a.index - b.index);
      if (missing[0]) {
        rowIssues.push(issueAt(row, missing[0].spec.field, `This row has ${cells.length} value${cells.length === 1 ? "" : "s"} but the header has ${header.width} columns; a comma or a quote is probably missing`));
        for (const c of missing) failed.add(c.spec.field);
      }
    }
    for (let index = header.width; index < cells.length; index++) {
      if (cells[index]!.trim() !== "") {
        rowIssues.push({ row, column: `column ${index + 1}`, columnIndex: index + 1, message: `This row has ${cells.length} values but the header has ${header.width} columns; remove the extra values or quote the one that contains a comma`, order: index });
        break;
      }
    }
    for (const index of header.unnamed) {
      if ((cells[index] ?? "").trim() !== "") {
        rowIssues.push({ row, column: `column ${index + 1}`, columnIndex: index + 1, message: "A value in a column with no header; name the column or remove the value", order: index });
      }
    }

    for (const { spec, index } of header.columns) {
      const raw = cells[index];
      if (raw === undefined) continue;
      if (spec.cell === "reference") {
        if (raw.trim() === "") {
          fail(spec.field, REQUIRED_REFERENCE[spec.field] ?? `${spec.label} is required`);
          continue;
        }
        const resolved = resolve(spec.field, raw);
        if (resolved.ok) input[spec.field] = resolved.id;
        else fail(spec.field, resolved.message);
      } else if (spec.cell === "instant") {
        const reading = instants.read(raw, spec.label);
        if (reading.kind === "instant") input[spec.field] = reading.value;
        else if (reading.kind === "invalid") fail(spec.field, reading.message);
      } else {
        input[spec.field] = raw;
      }
    }

    histogramText = input.latencyHistogram as string | undefined;
    delete input.latencyHistogram;
    const parsed = rowSchema.safeParse(input);
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? String(issue.path[0]) : (specs[0]!.field);
        if (failed.has(field)) continue;
        const id = `${field}\u0000${issue.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        rowIssues.push(issueAt(row, field, issue.message));
      }
    }

    if (rowIssues.length === 0 && parsed.success) {
      if (kind === "trainingRuns") {
        const values = parsed.data as TrainingRunValues;
        if (noteDuplicate(row, runKey(values), "name", "Row {first} has the same team, name and start; a run can appear only once in a file", rowIssues)) {
          validRuns.push({ row, values });
        }
      } else {
        const values = parsed.data as UsageWindowValues;
        const histogram = windowHistogram(values);
        if (histogram && !histogram.ok) rowIssues.push(issueAt(row, "latencyHistogram", histogram.message));
        else if (noteDuplicate(row, windowKey(values), "windowStart", "Row {first} has the same deployment and window start; a window can appear only once in a file", rowIssues)) {
          validWindows.push({ row, values: histogram ? { ...values, latencyKeys: histogram.sketch.keys, latencyCounts: histogram.sketch.counts } : values });
        }
      }
    }
    rowIssues.sort((a, b) => a.order - b.order);
    issueTotal += rowIssues.length;
    // Past the listed ones, problems are only counted: a file of 200,000 bad rows can't fill the memory with them.
    if (rowIssues.length > 0 && issues.length < listedIssues) {
      for (const { order: _order, ...issue } of rowIssues) issues.push(issue);
    }
  }

  /** The row's latency histogram cell (the entity schema doesn't know it), checked against the window's requests; null without one. */
  function windowHistogram(values: UsageWindowValues): HistogramCell | null {
    const text = histogramText;
    if (text === undefined || text.trim() === "") return null;
    const cell = readHistogramCell(text);
    if (!cell.ok) return cell;
    if (cell.count > values.requests) {
      return { ok: false, message: `Latency histogram counts ${cell.count.toLocaleString("en-US")} requests, more than the window's ${values.requests.toLocaleString("en-US")}` };
    }
    if (values.requests === 0n && cell.count > 0n) return { ok: false, message: "A window with no requests has no latency; leave the histogram empty" };
    return cell;
  }

  /** Records the key's first row; a later row with the same key gets an issue. True when the row is the first. */
  function noteDuplicate(row: number, key: string, field: string, template: string, rowIssues: (ImportIssue & { order: number })[]): boolean {
    const first = firstRowOfKey.get(key);
    if (first === undefined) {
      firstRowOfKey.set(key, row);
      return true;
    }
    rowIssues.push(issueAt(row, field, template.replace("{first}", first.toLocaleString("en-US"))));
    return false;
  }

  return {
    validate(rows) {
      for (const row of rows) checkRow(row);
    },
    issueCount: () => issueTotal,
    issue: (row, field, message) => importIssue(kind, header, row, field, message),
    takeValid() {
      const valid: ValidRows = kind === "trainingRuns" ? { kind, rows: validRuns } : { kind, rows: validWindows };
      validRuns = [];
      validWindows = [];
      return valid;
    },
    result() {
      const valid: ValidRows = kind === "trainingRuns" ? { kind, rows: validRuns } : { kind, rows: validWindows };
      return { valid, issues };
    },
  };
}
