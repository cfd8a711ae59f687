import Link from "next/link";
import type { Route } from "next";
import type { ReactNode } from "react";
import { ScrollRegion } from "./scroll-region";

export interface Column<Row> {
  key: string;
  header: string;
  /** Numbers are right-aligned with tabular figures. */
  isNumeric?: boolean;
  /**
   * The header and cells may wrap onto several lines when the table is
   * narrower than its content, so wide tables fit a laptop without scrolling.
   */
  canWrap?: boolean;
  /** The server-side sort key this column sorts by, when sortable. */
  sortKey?: string;
  cell: (row: Row) => ReactNode;
}

export interface SortState {
  key: string;
  dir: "asc" | "desc";
  /** The URL that sorts by `key` in `dir`. */
  hrefFor: (key: string, dir: "asc" | "desc") => string;
}

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  sort,
  rowClassName,
}: {
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  sort?: SortState;
  /** Extra classes for a row, e.g. to highlight the one the page is about. */
  rowClassName?: (row: Row) => string | undefined;
}) {
  return (
    <ScrollRegion label={caption}>
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            {columns.map((c) => {
              const isSorted = sort && c.sortKey === sort.key;
              const nextDir = isSorted && sort.dir === "desc" ? "asc" : "desc";
              return (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={isSorted ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}
                  className={`${c.canWrap ? "" : "whitespace-nowrap"} px-2 py-2 align-bottom ${c.isNumeric ? "text-right" : ""}`}
                >
                  {sort && c.sortKey ? (
                    <Link href={sort.hrefFor(c.sortKey, nextDir) as Route} className="hover:text-slate-900 hover:underline">
                      {c.header}
                      <span aria-hidden="true">{isSorted ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                    </Link>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={`border-b border-slate-100 last:border-0 hover:bg-slate-50 ${rowClassName?.(row) ?? ""}`}>
              {columns.map((c) => (
                <td key={c.key} className={`${c.canWrap ? "" : "whitespace-nowrap"} px-2 py-1.5 ${c.isNumeric ? "text-right tabular-nums" : ""}`}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
