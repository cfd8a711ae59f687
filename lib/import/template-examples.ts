import { formatDateTime } from "@/lib/domain/labels";
import type { ImportKind } from "./kinds";
import { instantReader } from "./local-time";
import type { ImportReferences } from "./references";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Example cells for the template that name the org's own team, GPU type and
 * a serving deployment, at recent times in the org's zone — so the template
 * imports as downloaded and shows the formats a person should copy.
 */
export function templateExamples(kind: ImportKind, references: ImportReferences, { now, timeZone }: { now: Date; timeZone: string }): Record<string, string> {
  const reader = instantReader(timeZone);
  // A local time the zone skips or repeats would not import; such an (hour-a-year) example is written in UTC instead.
  const local = (wall: string) => {
    const reading = reader.read(wall, "Example");
    return reading.kind === "invalid" ? `${wall.replace(" ", "T")}:00Z` : wall;
  };
  const localDay = (daysAgo: number) => formatDateTime({ instant: new Date(now.getTime() - daysAgo * DAY_MS), timeZone }).slice(0, 10);
  if (kind === "trainingRuns") {
    const day = localDay(2);
    return {
      ...(references.teams[0] ? { team: references.teams[0].slug } : {}),
      ...(references.gpuTypes[0] ? { gpu_type: references.gpuTypes[0].name } : {}),
      started_at: local(`${day} 09:00`),
      ended_at: local(`${day} 17:30`),
    };
  }
  // A deployment still serving (else the one that stopped last), an hour-long window well inside its active period.
  const deployment = [...references.deployments].sort((a, b) => (b.activeTo?.getTime() ?? Infinity) - (a.activeTo?.getTime() ?? Infinity) || b.id - a.id)[0];
  if (!deployment) return { window_start: local(`${localDay(1)} 09:00`) };
  const latestStart = Math.min(now.getTime() - DAY_MS, (deployment.activeTo?.getTime() ?? Infinity) - 2 * HOUR_MS);
  const start = Math.max(latestStart, Math.ceil(deployment.activeFrom.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  const isNameShared = references.deployments.some((d) => d.id !== deployment.id && d.name === deployment.name);
  return {
    deployment: isNameShared ? String(deployment.id) : deployment.name,
    window_start: local(formatDateTime({ instant: new Date(Math.floor(start / HOUR_MS) * HOUR_MS), timeZone })),
  };
}
