import { columnLetter, type ImportIssue } from "@/lib/import/kinds";
import { ScrollRegion } from "@/components/ui/scroll-region";

/** Every problem of a file with the row and column to fix, as a spreadsheet names them. */
export function ProblemsTable({ errors, errorCount, fileName }: { errors: ImportIssue[]; errorCount: number; fileName: string }) {
  const rows = new Set(errors.map((e) => e.row)).size;
  return (
    <div>
      <ScrollRegion label={`Problems in ${fileName}`} className="max-h-[28rem] overflow-y-auto rounded-md border border-red-200">
        <table className="w-full border-collapse text-sm">
          <caption className="sr-only">Problems in {fileName}</caption>
          <thead className="sticky top-0 bg-red-50 text-left text-xs font-semibold uppercase tracking-wide text-red-900">
            <tr>
              <th scope="col" className="px-2.5 py-2 text-right">
                Row
              </th>
              <th scope="col" className="px-2.5 py-2">
                Column
              </th>
              <th scope="col" className="px-2.5 py-2">
                Problem
              </th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={`${e.row}-${e.column}-${i}`} className="border-t border-red-100 align-top">
                <td className="whitespace-nowrap px-2.5 py-1.5 text-right tabular-nums">{e.row.toLocaleString("en-US")}</td>
                <td className="whitespace-nowrap px-2.5 py-1.5">
                  <code className="text-xs">{e.column}</code>
                  {e.columnIndex !== null ? (
                    <>
                      {" "}
                      <span className="text-xs text-slate-500" title={`Spreadsheet column ${columnLetter(e.columnIndex)}`}>
                        ({columnLetter(e.columnIndex)})
                      </span>
                    </>
                  ) : null}
                </td>
                <td className="px-2.5 py-1.5 text-slate-800">{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p className="mt-1.5 text-xs text-slate-600">
        {errorCount > errors.length
          ? `Showing the first ${errors.length.toLocaleString("en-US")} of ${errorCount.toLocaleString("en-US")} problems.`
          : `${errorCount.toLocaleString("en-US")} problem${errorCount === 1 ? "" : "s"} in ${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}.`}{" "}
        Rows are numbered as in your spreadsheet: the header is row 1.
      </p>
    </div>
  );
}
