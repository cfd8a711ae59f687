import type { ImportProgress } from "@/lib/db/mutations/imports";

const count = (n: number) => n.toLocaleString("en-US");

/** What the server is doing, in words, and how far along the whole job is (0..1). */
export function describeProgress({ uploaded, progress, isCommit }: { uploaded: number; progress: ImportProgress | null; isCommit: boolean }): { label: string; fraction: number | null } {
  if (uploaded < 1 || !progress) {
    if (uploaded >= 1) return { label: "Uploaded. Checking rows…", fraction: isCommit ? 0.1 : null };
    return { label: `Uploading the file: ${Math.floor(uploaded * 100)}%`, fraction: uploaded * (isCommit ? 0.1 : 1) };
  }
  switch (progress.phase) {
    case "checking":
      return { label: `Checking rows: ${count(progress.done)} of ${count(progress.total)}`, fraction: 0.1 + 0.3 * (progress.done / Math.max(1, progress.total)) };
    case "writing":
      return { label: `Saving rows: ${count(progress.done)} of ${count(progress.total)}`, fraction: 0.4 + 0.55 * (progress.total === 0 ? 1 : progress.done / progress.total) };
    case "rollups":
      return { label: "Updating the usage rollups…", fraction: 0.97 };
  }
}

export function ProgressBar({ label, fraction }: { label: string; fraction: number | null }) {
  const percent = fraction === null ? null : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div className="space-y-1.5">
      <div className="flex justify-between text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        {percent !== null ? <span className="tabular-nums text-slate-600">{percent}%</span> : null}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full bg-orange-500 transition-[width] duration-300 ${percent === null ? "w-1/3 animate-pulse" : ""}`}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
    </div>
  );
}
