/** What a CSV import can hold, as stored in import_batches.kind and as written in URLs. */
export const IMPORT_KINDS = ["trainingRuns", "usageWindows"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const SLUGS: Record<ImportKind, string> = { trainingRuns: "training-runs", usageWindows: "usage-windows" };

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = { trainingRuns: "Training runs", usageWindows: "Usage windows" };

/** "training-runs" in a URL → "trainingRuns"; anything else → null. */
export function importKindFromSlug(slug: string | null | undefined): ImportKind | null {
  return IMPORT_KINDS.find((kind) => SLUGS[kind] === slug) ?? null;
}

export function importKindSlug(kind: ImportKind): string {
  return SLUGS[kind];
}

/** Largest file accepted, in bytes. 100,000 runs with every column filled take about 25 MB. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** Most data rows in one file: keeps a preview's memory bounded whatever the row width. */
export const MAX_IMPORT_ROWS = 200_000;

/**
 * Limits checked while the file is read (lib/import/read-file.ts): the read
 * stops at the first one exceeded, so no upload costs more than its limits.
 */
/** Columns of the header and of any row (the widest kind has 25; spreadsheets add a few empty ones). */
export const MAX_IMPORT_COLUMNS = 256;
/** Characters in one cell (the longest field, notes, takes 5,000). */
export const MAX_CELL_CHARS = 10_000;
/** Empty or blank rows (every cell empty) in one file. */
export const MAX_BLANK_ROWS = 100_000;
/** Rows with more or fewer values than the header has columns: beyond this the file isn't one table. */
export const MAX_UNEVEN_ROWS = 1_000;
/** Characters between two line breaks (csv-parse refuses a record of more than 1 MB of cell text). */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Errors sent to the browser at most; the total is always reported. */
export const MAX_LISTED_ERRORS = 100;

/** "50 MB", "1.2 MB", "812 KB" (binary units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const mb = bytes / (1024 * 1024);
    return `${mb >= 10 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
  }
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** One problem with one cell: `row` counts as a spreadsheet does (the header is row 1). */
export interface ImportIssue {
  row: number;
  /** The column's header as written in the file (or the expected name when the column is absent). */
  column: string;
  /** 1-based position of the column in the file, null when the file has no such column. */
  columnIndex: number | null;
  message: string;
}

/** Spreadsheet letters of a 1-based column position: 1 → A, 27 → AA. */
export function columnLetter(index: number): string {
  let letters = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
