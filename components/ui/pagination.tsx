import Link from "next/link";
import type { Route } from "next";

export function Pagination({ page, pageCount, total, hrefFor, noun }: { page: number; pageCount: number; total: number; hrefFor: (page: number) => string; noun: string }) {
  const link = "rounded-md border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 border-t border-slate-200 px-3 py-2 text-sm text-slate-600">
      <span>
        {total.toLocaleString("en-US")} {noun} · page {page} of {pageCount}
      </span>
      <span data-print="hide" className="flex gap-2">
        {page > 1 ? (
          <Link href={hrefFor(page - 1) as Route} className={link} rel="prev">
            Previous
          </Link>
        ) : null}
        {page < pageCount ? (
          <Link href={hrefFor(page + 1) as Route} className={link} rel="next">
            Next
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
