import { IMPORT_COLUMNS } from "@/lib/import/columns";
import { IMPORT_KIND_LABELS, IMPORT_KINDS } from "@/lib/import/kinds";

/** The columns of each kind of file: what goes in them and which are required. */
export function ColumnGuide() {
  return (
    <div className="grid items-start gap-4 p-4 xl:grid-cols-2">
      {IMPORT_KINDS.map((kind) => (
        <details key={kind} className="rounded-md border border-slate-200">
          <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50">
            {IMPORT_KIND_LABELS[kind]}: {IMPORT_COLUMNS[kind].length} columns, {IMPORT_COLUMNS[kind].filter((c) => c.isRequired).length} required
          </summary>
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">Columns of a {IMPORT_KIND_LABELS[kind].toLowerCase()} file</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-2.5 py-1.5">
                  Column
                </th>
                <th scope="col" className="px-2.5 py-1.5">
                  What goes in it
                </th>
                <th scope="col" className="px-2.5 py-1.5">
                  Example
                </th>
              </tr>
            </thead>
            <tbody>
              {IMPORT_COLUMNS[kind].map((c) => (
                <tr key={c.header} className="border-t border-slate-100 align-top">
                  <td className="whitespace-nowrap px-2.5 py-1.5">
                    <code className="text-xs">{c.header}</code>
                    {c.isRequired ? <span className="ml-1 text-xs font-medium text-red-700">required</span> : null}
                  </td>
                  <td className="px-2.5 py-1.5 text-slate-700">{c.description}</td>
                  <td className="whitespace-nowrap px-2.5 py-1.5 text-slate-600">
                    <code className="text-xs">{c.example || "—"}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}
