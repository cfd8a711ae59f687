import { IMPORT_COLUMNS, type ColumnSpec } from "./columns";
import type { FileCheck } from "./file-checks";
import type { ImportKind } from "./kinds";

/** "GPU Count", " gpu-count " and "gpu_count" name the same column. */
export function normalizeHeader(title: string): string {
  return title.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

export interface MappedColumn {
  spec: ColumnSpec;
  /** 0-based position in the file. */
  index: number;
  /** The header as written in the file. */
  title: string;
}

export interface HeaderMap {
  columns: MappedColumn[];
  /** Number of header cells. */
  width: number;
  /** 0-based positions of header cells left empty (a trailing comma in the export). */
  unnamed: number[];
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function suggestion(name: string, candidates: readonly string[]): string | null {
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.candidate : null;
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

/** Problems of one sort listed in a message: the first few, then how many more. */
const LISTED_HEADER_PROBLEMS = 10;
/** Header names longer than this get no "did you mean" (the guess costs length × length). */
const MAX_GUESSED_NAME = 64;

function listSome(items: readonly string[]): string {
  const shown = items.slice(0, LISTED_HEADER_PROBLEMS).join(", ");
  const more = items.length - LISTED_HEADER_PROBLEMS;
  return more > 0 ? `${shown} and ${more.toLocaleString("en-US")} more` : shown;
}

const showName = (title: string) => {
  const trimmed = title.trim();
  return trimmed.length > 60 ? `${trimmed.slice(0, 57)}…` : trimmed;
};

/** Matches the header row to the kind's columns: every required column present, no unknown or repeated one. */
export function mapHeader(kind: ImportKind, cells: readonly string[]): FileCheck<HeaderMap> {
  const specs = IMPORT_COLUMNS[kind];
  const byName = new Map(specs.map((spec) => [spec.header, spec]));
  const columns: MappedColumn[] = [];
  const unnamed: number[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  cells.forEach((title, index) => {
    const name = normalizeHeader(title);
    if (name === "") {
      unnamed.push(index);
      return;
    }
    const spec = byName.get(name);
    if (!spec) {
      if (unknown.length < LISTED_HEADER_PROBLEMS) {
        const guess = name.length <= MAX_GUESSED_NAME ? suggestion(name, [...byName.keys()]) : null;
        unknown.push(`"${showName(title)}" (column ${index + 1}${guess ? `; did you mean "${guess}"?` : ""})`);
      } else unknown.push("");
      return;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      repeated.push(`Column "${name}" appears twice (columns ${earlier + 1} and ${index + 1}); keep one.`);
      return;
    }
    seen.set(name, index);
    columns.push({ spec, index, title: title.trim() });
  });
  const missing = specs.filter((spec) => spec.isRequired && !seen.has(spec.header)).map((spec) => spec.header);
  if (columns.length === 0) {
    return {
      ok: false,
      message: `The first row must be the header row with the column names (${specs.slice(0, 4).map((s) => s.header).join(", ")}, …). Download the template to start from the expected columns.`,
    };
  }
  if (missing.length > 0) {
    problems.push(`Missing required column${missing.length === 1 ? "" : "s"}: ${quoteList(missing)}. Download the template for the expected columns.`);
  }
  if (repeated.length > 0) problems.push(repeated.slice(0, LISTED_HEADER_PROBLEMS).join(" ") + (repeated.length > LISTED_HEADER_PROBLEMS ? ` ${(repeated.length - LISTED_HEADER_PROBLEMS).toLocaleString("en-US")} more columns appear twice.` : ""));
  if (unknown.length > 0) {
    problems.push(`Unknown column${unknown.length === 1 ? "" : "s"}: ${listSome(unknown)}. Column names must be as in the template.`);
  }
  if (problems.length > 0) return { ok: false, message: problems.join(" ") };
  return { ok: true, value: { columns, width: cells.length, unnamed } };
}
