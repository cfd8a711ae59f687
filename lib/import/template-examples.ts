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
/** The deployment a usage template's example names: still serving, else the one that stopped last. */
export function exampleDeployment(references: ImportReferences) {
  return [...references.deployments].sort((a, b) => (b.activeTo?.getTime() ?? Infinity) - (a.activeTo?.getTime() ?? Infinity) || b.id - a.id)[0];
}

export function templateExamples(
  kind: ImportKind,
  references: ImportReferences,
  {
    now,
    timeZone,
    storedWindows,
  }: {
    now: Date;
    timeZone: string;
    /** The example deployment's stored windows: the example hour is kept clear of them, so importing the template never replaces or doubles real traffic. */
    storedWindows?: { first: Date; lastEnd: Date } | null;
  },
): Record<string, string> {
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
  // An hour-long window well inside the deployment's active period, and outside its stored traffic when there is room.
  const deployment = exampleDeployment(references);
  if (!deployment) return { window_start: local(`${localDay(1)} 09:00`) };
  const earliest = Math.ceil(deployment.activeFrom.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const latest = Math.min(now.getTime() - DAY_MS, (deployment.activeTo?.getTime() ?? Infinity) - 2 * HOUR_MS);
  let start = Math.max(latest, earliest);
  if (storedWindows) {
    const before = Math.floor(storedWindows.first.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS;
    const after = Math.ceil(storedWindows.lastEnd.getTime() / HOUR_MS) * HOUR_MS;
    if (after <= latest) start = after;
    else if (before >= earliest) start = before;
  }
  const isNameShared = references.deployments.some((d) => d.id !== deployment.id && d.name === deployment.name);
  return {
    deployment: isNameShared ? String(deployment.id) : deployment.name,
    window_start: local(formatDateTime({ instant: new Date(Math.floor(start / HOUR_MS) * HOUR_MS), timeZone })),
  };
}
