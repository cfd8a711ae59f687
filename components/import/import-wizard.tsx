"use client";

import { useEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import type { ImportErrorBody, ImportEvent } from "@/lib/api/imports";
import type { ImportCommit, ImportPreview, ImportProgress, SampleRow } from "@/lib/db/mutations/imports";
import { formatBytes, IMPORT_KIND_LABELS, IMPORT_KINDS, importKindSlug, MAX_IMPORT_BYTES, type ImportIssue, type ImportKind } from "@/lib/import/kinds";
import { inputClass } from "@/components/forms/fields";
import { Badge } from "@/components/ui/badge";
import { Button, ButtonLink, buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { describeProgress, ProgressBar } from "./import-progress";
import { ProblemsTable } from "./problems-table";
import { readNdjson, uploadFile } from "./upload";

type Checked = Extract<ImportPreview, { status: "checked" }>;
type Committed = Extract<ImportCommit, { status: "committed" }>;

type Step =
  | { name: "ready" }
  | { name: "checking"; uploaded: number }
  | { name: "checked"; preview: Checked }
  | { name: "importing"; preview: Checked; uploaded: number; progress: ImportProgress | null }
  | { name: "imported"; result: Committed }
  /** Refused by the server: a file-level message, or row problems found at commit. */
  | { name: "refused"; message: string; problems?: { errors: ImportIssue[]; errorCount: number } };

const ACTION_BADGES: Record<SampleRow["action"], ReactNode> = {
  new: <Badge tone="info">New</Badge>,
  update: <Badge tone="warn">Update</Badge>,
  unchanged: <Badge>Unchanged</Badge>,
};

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? "" : "s"}`;

function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as Partial<ImportErrorBody> & { message?: string };
    if (body.error?.message) return body.error.message;
    if (body.message) return body.message;
  } catch {
    // not JSON (a proxy's error page)
  }
  return `The server answered ${status}. Nothing was imported; try again.`;
}

export function ImportWizard({ initialKind, orgTimeZone, timeZones }: { initialKind: ImportKind; orgTimeZone: string; timeZones: string[] }) {
  const [kind, setKind] = useState<ImportKind>(initialKind);
  const [file, setFile] = useState<File | null>(null);
  const [timeZone, setTimeZone] = useState(orgTimeZone);
  const [step, setStep] = useState<Step>({ name: "ready" });
  const [failure, setFailure] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const progressPanel = useRef<HTMLDivElement>(null);
  const isBusy = step.name === "checking" || step.name === "importing";
  const isTooLarge = file !== null && file.size > MAX_IMPORT_BYTES;

  // Move focus to what just appeared, so keyboard and screen reader users land on it.
  useEffect(() => {
    if (step.name === "checked" || step.name === "imported" || step.name === "refused") resultHeading.current?.focus();
    // The Import button is at the bottom of a long preview; bring the progress (above it) into view.
    if (step.name === "importing") progressPanel.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [step.name]);

  const reset = (next?: Partial<{ kind: ImportKind; file: File | null; timeZone: string }>) => {
    if (next?.kind !== undefined) setKind(next.kind);
    if (next?.file !== undefined) setFile(next.file);
    if (next?.timeZone !== undefined) setTimeZone(next.timeZone);
    setStep({ name: "ready" });
    setFailure(null);
  };

  const endpoint = (action: "preview" | "commit") =>
    `/api/imports/${action}?${new URLSearchParams({ kind: importKindSlug(kind), timeZone, fileName: file?.name ?? "upload.csv" })}`;

  async function check() {
    if (!file || isTooLarge) return;
    setFailure(null);
    setStep({ name: "checking", uploaded: 0 });
    try {
      const response = await uploadFile({ url: endpoint("preview"), file, onUploadProgress: (uploaded) => setStep({ name: "checking", uploaded }) });
      if (response.status === 200) {
        setStep({ name: "checked", preview: JSON.parse(response.text) as Checked });
      } else if (response.status === 422) {
        const refused = JSON.parse(response.text) as Extract<ImportPreview, { status: "invalid-file" }>;
        setStep({ name: "refused", message: refused.message });
      } else {
        setStep({ name: "refused", message: errorMessage(response.status, response.text) });
      }
    } catch (error) {
      setStep({ name: "ready" });
      setFailure(error instanceof Error ? error.message : String(error));
    }
  }

  async function commit(preview: Checked) {
    if (!file) return;
    setFailure(null);
    let read = 0;
    let outcome: ImportEvent | null = null;
    let progress: ImportProgress | null = null;
    let uploaded = 0;
    const show = () => setStep({ name: "importing", preview, uploaded, progress });
    show();
    try {
      const response = await uploadFile({
        url: endpoint("commit"),
        file,
        onUploadProgress: (fraction) => {
          uploaded = fraction;
          show();
        },
        onResponseText: (text) => {
          const { events, next } = readNdjson<ImportEvent>(text, read);
          read = next;
          for (const event of events) {
            if (event.type === "progress") progress = event.progress;
            else outcome = event;
          }
          show();
        },
      });
      if (response.status !== 200) {
        setStep({ name: "refused", message: errorMessage(response.status, response.text) });
        return;
      }
      const final = outcome as ImportEvent | null;
      if (!final || final.type === "progress") {
        setStep({ name: "refused", message: "The connection closed before the import finished; nothing was imported. Try again." });
      } else if (final.type === "error") {
        setStep({ name: "refused", message: final.message });
      } else if (final.result.status === "committed") {
        setStep({ name: "imported", result: final.result });
      } else if (final.result.status === "invalid-file") {
        setStep({ name: "refused", message: final.result.message });
      } else {
        setStep({
          name: "refused",
          message: "The file has problems now (records it names may have changed since the preview). Nothing was imported.",
          problems: { errors: final.result.errors, errorCount: final.result.errorCount },
        });
      }
    } catch (error) {
      setStep({ name: "checked", preview });
      setFailure(error instanceof Error ? error.message : String(error));
    }
  }

  const fileName = file?.name ?? "the file";
  const progressView =
    step.name === "checking"
      ? describeProgress({ uploaded: step.uploaded, progress: null, isCommit: false })
      : step.name === "importing"
        ? describeProgress({ uploaded: step.uploaded, progress: step.progress, isCommit: true })
        : null;

  // What a screen reader hears: each step once, and an import's progress in quarters (the bar itself has the exact figure).
  const announcement =
    step.name === "checking"
      ? `Checking ${fileName}…`
      : step.name === "checked"
        ? `Checked ${fileName}: ${plural(step.preview.rowCount, "row")}, ${plural(step.preview.errorCount, "problem")}.`
        : step.name === "importing"
          ? `Importing ${fileName}: ${Math.floor((progressView?.fraction ?? 0) * 4) * 25}% done.`
          : step.name === "imported"
            ? `Imported ${fileName}.`
            : step.name === "refused"
              ? `${fileName} can't be imported.`
              : "";

  return (
    <div className="space-y-5">
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      <Card title="1. Choose a file">
        <form
          className="grid gap-4 p-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]"
          onSubmit={(event) => {
            event.preventDefault();
            void check();
          }}
        >
          <fieldset className="lg:col-span-2">
            <legend className="mb-1.5 text-xs font-medium text-slate-700">What the file holds</legend>
            <div className="flex flex-wrap items-center gap-3">
              <div className="inline-flex rounded-md border border-slate-300 bg-white p-0.5">
                {IMPORT_KINDS.map((k) => (
                  <label
                    key={k}
                    className={`cursor-pointer rounded px-3 py-1 text-sm font-medium has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-600 ${
                      kind === k ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"
                    }`}
                  >
                    <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => reset({ kind: k })} disabled={isBusy} className="sr-only" />
                    {IMPORT_KIND_LABELS[k]}
                  </label>
                ))}
              </div>
              <a href={`/api/imports/templates/${importKindSlug(kind)}`} download className={buttonClass("secondary")}>
                Download the {IMPORT_KIND_LABELS[kind].toLowerCase()} template
              </a>
            </div>
          </fieldset>

          <div>
            <label htmlFor="import-file" className="mb-1 block text-xs font-medium text-slate-700">
              CSV file
            </label>
            <input
              ref={fileInput}
              id="import-file"
              type="file"
              accept=".csv,text/csv"
              disabled={isBusy}
              aria-describedby="import-file-hint"
              aria-invalid={isTooLarge || undefined}
              onChange={(event) => reset({ file: event.target.files?.[0] ?? null })}
              className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50"
            />
            <p id="import-file-hint" className="mt-1 text-xs text-slate-500">
              UTF-8, comma-separated, header row first, up to {formatBytes(MAX_IMPORT_BYTES)}.
            </p>
            {isTooLarge ? (
              <p role="alert" className="mt-1 text-xs font-medium text-red-700">
                {file.name} is {formatBytes(file.size)}; the limit is {formatBytes(MAX_IMPORT_BYTES)}. Split it into smaller files and import them one after another.
              </p>
            ) : null}
          </div>

          <div>
            <label htmlFor="import-time-zone" className="mb-1 block text-xs font-medium text-slate-700">
              Times without a UTC offset are in
            </label>
            <select
              id="import-time-zone"
              value={timeZone}
              disabled={isBusy}
              onChange={(event) => reset({ timeZone: event.target.value })}
              aria-describedby="import-time-zone-hint"
              className={inputClass(false)}
            >
              {timeZones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone === orgTimeZone ? `${zone} (organization)` : zone}
                </option>
              ))}
            </select>
            <p id="import-time-zone-hint" className="mt-1 text-xs text-slate-500">
              For cells like 2026-03-01 09:00. Cells with Z or an offset (2026-03-01T09:00:00+01:00) are read as written.
            </p>
          </div>

          <div className="flex items-center gap-3 lg:col-span-2">
            <Button type="submit" variant="primary" disabled={!file || isTooLarge || isBusy}>
              {step.name === "checking" ? "Checking…" : "Check file"}
            </Button>
            <span className="text-xs text-slate-500">Checking reads every row and writes nothing.</span>
          </div>
        </form>
      </Card>

      <div className="space-y-5">
        {failure ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {failure}
          </p>
        ) : null}

        {progressView ? (
          <div ref={progressPanel} className="scroll-mt-4">
            <Card title={step.name === "importing" ? `Importing ${fileName}` : `Checking ${fileName}`}>
              <div className="p-4">
                <ProgressBar label={progressView.label} fraction={progressView.fraction} />
              </div>
            </Card>
          </div>
        ) : null}

        {step.name === "checked" || step.name === "importing" ? (
          <PreviewCard
            preview={step.preview}
            fileName={fileName}
            headingRef={resultHeading}
            isImporting={step.name === "importing"}
            onImport={() => void commit(step.preview)}
          />
        ) : null}

        {step.name === "refused" ? (
          <Card>
            <div className="space-y-3 p-4">
              <h2 ref={resultHeading} tabIndex={-1} className="text-base font-semibold text-red-800 focus:outline-none">
                {fileName} can&apos;t be imported
              </h2>
              <p role="alert" className="text-sm text-slate-800">
                {step.message}
              </p>
              {step.problems ? <ProblemsTable errors={step.problems.errors} errorCount={step.problems.errorCount} fileName={fileName} /> : null}
              <p className="text-sm text-slate-600">Nothing was imported. Fix the file, then choose it again and check it.</p>
            </div>
          </Card>
        ) : null}

        {step.name === "imported" ? (
          <Card>
            <div className="space-y-3 p-4">
              <h2 ref={resultHeading} tabIndex={-1} className="text-base font-semibold text-emerald-800 focus:outline-none">
                Imported {fileName}
              </h2>
              <p className="text-sm text-slate-800">
                {plural(step.result.inserted, "new record")}, {count(step.result.updated)} updated, {count(step.result.unchanged)} unchanged — {plural(step.result.rowCount, "row")} in all.
              </p>
              <div className="flex flex-wrap gap-2">
                {kind === "trainingRuns" ? <ButtonLink href="/training" variant="primary">View training runs</ButtonLink> : <ButtonLink href="/inference" variant="primary">View inference</ButtonLink>}
                <Button
                  onClick={() => {
                    reset({ file: null });
                    if (fileInput.current) fileInput.current.value = "";
                    fileInput.current?.focus();
                  }}
                >
                  Import another file
                </Button>
              </div>
            </div>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function PreviewCard({
  preview,
  fileName,
  headingRef,
  isImporting,
  onImport,
}: {
  preview: Checked;
  fileName: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  isImporting: boolean;
  onImport: () => void;
}) {
  const hasErrors = preview.errorCount > 0;
  const stats: [string, number, string][] = [
    ["Rows", preview.rowCount, "text-slate-900"],
    ["New", preview.counts.new, "text-blue-800"],
    ["Updated", preview.counts.updated, "text-amber-800"],
    ["Unchanged", preview.counts.unchanged, "text-slate-700"],
    ["Problems", preview.errorCount, hasErrors ? "text-red-700" : "text-slate-700"],
  ];
  return (
    <Card>
      <div className="space-y-4 p-4">
        <h2 ref={headingRef} tabIndex={-1} className="text-base font-semibold focus:outline-none">
          2. Preview of {fileName}
        </h2>
        <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5">
          {stats.map(([label, value, tone]) => (
            <div key={label} className="rounded-md border border-slate-200 px-3 py-2">
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
              <dd className={`text-xl font-semibold tabular-nums ${tone}`}>{count(value)}</dd>
            </div>
          ))}
        </dl>

        {hasErrors ? (
          <div className="space-y-2">
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
              {plural(preview.errorCount, "problem")} to fix before anything can be imported. Correct them in your spreadsheet, save it as CSV, and check the file again.
            </p>
            <ProblemsTable errors={preview.errors} errorCount={preview.errorCount} fileName={fileName} />
          </div>
        ) : (
          <p className="text-sm text-emerald-800">Every row is valid. Importing adds the new rows and updates the changed ones; unchanged rows are left alone.</p>
        )}

        {preview.sample.rows.length > 0 ? (
          <div>
            <h3 className="mb-1.5 text-sm font-semibold text-slate-800">{hasErrors ? "First valid rows" : "First rows"}</h3>
            <ScrollRegion label={`First rows of ${fileName}`} className="rounded-md border border-slate-200">
              <table className="w-full border-collapse text-sm">
                <caption className="sr-only">First rows of {fileName} as they would be imported</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="px-2.5 py-2 text-right">
                      Row
                    </th>
                    <th scope="col" className="px-2.5 py-2">
                      Action
                    </th>
                    {preview.sample.columns.map((c) => (
                      <th key={c} scope="col" className="whitespace-nowrap px-2.5 py-2 normal-case">
                        <code>{c}</code>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.sample.rows.map((row) => (
                    <tr key={row.row} className="border-t border-slate-100">
                      <td className="px-2.5 py-1.5 text-right tabular-nums">{row.row}</td>
                      <td className="px-2.5 py-1.5">{ACTION_BADGES[row.action]}</td>
                      {row.cells.map((cell, i) => (
                        <td key={i} className="max-w-64 truncate whitespace-nowrap px-2.5 py-1.5" title={cell}>
                          {cell || <span className="text-slate-400">—</span>}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          </div>
        ) : null}

        <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-3">
          <Button variant="primary" disabled={hasErrors || isImporting} onClick={onImport} aria-describedby="import-button-hint">
            {isImporting ? "Importing…" : `Import ${plural(preview.rowCount, "row")}`}
          </Button>
          <span id="import-button-hint" className="text-xs text-slate-600">
            {hasErrors ? "Fix the problems above first." : "All or nothing: if any row fails, nothing is saved."}
          </span>
        </div>
      </div>
    </Card>
  );
}
