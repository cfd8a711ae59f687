import type { ImportProgress } from "@/lib/db/mutations/imports";

const count = (n: number) => n.toLocaleString("en-US");

/** What the server is doing, in words, and how far along the whole job is (0..1, null when unknown). */
export function describeProgress({ uploaded, progress, isCommit }: { uploaded: number; progress: ImportProgress | null; isCommit: boolean }): { label: string; fraction: number | null } {
  // The upload is the first tenth of a commit's bar, all of a preview's (checking takes a few seconds at most).
  const uploadShare = isCommit ? 0.1 : 1;
  if (uploaded < 1) return { label: `Uploading the file: ${Math.floor(uploaded * 100)}%`, fraction: uploaded * uploadShare };
  if (!progress || progress.phase === "checking") return { label: "Uploaded. Checking every row…", fraction: isCommit ? uploadShare : null };
  if (progress.phase === "rollups") return { label: "Updating the usage rollups…", fraction: 0.97 };
  const total = Math.max(1, progress.total);
  return {
    label: `Saving rows: ${count(progress.saved)} of ${count(progress.total)} (${count(progress.checked)} checked)`,
    fraction: uploadShare + (0.95 - uploadShare) * (progress.saved / total),
  };
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
