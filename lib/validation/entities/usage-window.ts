import { z } from "zod";
import {
  CLOCK_SKEW_MS,
  bigInteger,
  compareDecimals,
  decimal,
  fieldsParsed,
  formatInstant,
  instant,
  integer,
  MIN_INSTANT,
  optional,
  recordId,
  required,
  withDefault,
} from "./fields";
import { gpuUtilizationPctField } from "./shared-fields";

/** Longest accepted window: 31 days. Must equal MAX_WINDOW_SECONDS in lib/db/mutations/usage-rollups.ts (tested). */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;

const MAX_REQUESTS = 10n ** 12n;
const MAX_TOKENS = 10n ** 15n;

const LATENCY_FIELDS = [
  ["latencyP50Ms", "p50"],
  ["latencyP95Ms", "p95"],
  ["latencyP99Ms", "p99"],
] as const;

const latencyField = (percentile: string) =>
  decimal({ label: `${percentile} latency`, scale: 3, min: "0", minExclusive: true, max: "3600000", unit: " ms" });

const tokens = (label: string) => bigInteger({ label, min: 0n, max: MAX_TOKENS });

/** The deployment a window belongs to, as loaded by the action. */
export interface DeploymentPeriod {
  /** When given, the window's deploymentId must be this one. */
  id?: number;
  activeFrom: Date;
  activeTo: Date | null;
}

/**
 * The periods of the deployments a batch may name, by id: undefined for an
 * id the caller could not resolve (its window is then checked field by field
 * only, and the caller reports the reference).
 */
export type DeploymentPeriods = (deploymentId: number) => DeploymentPeriod | undefined;

/**
 * One deployment's totals over [windowStart, windowStart + windowSeconds),
 * entered by hand or imported. Latency is given as summary percentiles (all
 * three or none). A factory: the window must lie inside the deployment's
 * active period and not in the future.
 *
 * A batch (API, CSV import) passes its deployments' periods as a lookup, so
 * it builds one schema for all its windows: zod compiles each schema object
 * on its first parse, and a schema per deployment cost a 1,000-window batch
 * over 100 deployments ~80 ms of building and compiling.
 */
export function usageWindowSchema({
  now,
  deployment,
  timeZone,
}: {
  now: Date;
  deployment: DeploymentPeriod | DeploymentPeriods;
  /** The form's zone, for times in messages (UTC when not given: CSV, API). */
  timeZone?: string;
}) {
  const latest = now.getTime() + CLOCK_SKEW_MS;
  // A batch's lookup by the parsed id; an id that failed to parse gets no period, so the clock is still checked.
  const periodOf = (id: unknown): DeploymentPeriod | undefined =>
    typeof deployment !== "function" ? deployment : typeof id === "number" ? deployment(id) : undefined;
  return z
    .object(
      {
        deploymentId: required(recordId({ label: "Deployment" }), "Choose a deployment"),
        windowStart: required(instant({ label: "Window start" })),
        windowSeconds: required(integer({ label: "Window length", min: 1, max: MAX_WINDOW_SECONDS, unit: (n) => (n === 1n ? " second" : " seconds") })),
        requests: required(bigInteger({ label: "Requests", min: 0n, max: MAX_REQUESTS })),
        errors: withDefault(bigInteger({ label: "Errors", min: 0n, max: MAX_REQUESTS }), 0n),
        inputTokens: required(tokens("Input tokens")),
        cachedInputTokens: withDefault(tokens("Cached input tokens"), 0n),
        outputTokens: required(tokens("Output tokens")),
        latencyP50Ms: optional(latencyField("p50")),
        latencyP95Ms: optional(latencyField("p95")),
        latencyP99Ms: optional(latencyField("p99")),
        avgGpuUtilizationPct: optional(gpuUtilizationPctField),
      },
      { error: "Expected the usage window's fields" },
    )
    .superRefine(
      ({ deploymentId }, ctx) => {
        if (typeof deployment !== "function" && deployment.id !== undefined && deploymentId !== deployment.id) {
          ctx.addIssue({ code: "custom", path: ["deploymentId"], message: "This window belongs to a different deployment" });
        }
      },
      { when: fieldsParsed("deploymentId") },
    )
    .superRefine(
      ({ deploymentId, windowStart, windowSeconds }, ctx) => {
        const start = windowStart.getTime();
        const end = start + windowSeconds * 1000;
        // An unresolved deployment: only the clock applies (the caller reports the reference).
        const { activeFrom, activeTo } = periodOf(deploymentId) ?? { activeFrom: MIN_INSTANT, activeTo: null };
        if (start > latest) {
          ctx.addIssue({ code: "custom", path: ["windowStart"], message: "Window start can't be in the future" });
        } else if (start < activeFrom.getTime()) {
          ctx.addIssue({ code: "custom", path: ["windowStart"], message: `Window starts before the deployment went live (${formatInstant(activeFrom, timeZone)})` });
        } else if (activeTo && start >= activeTo.getTime()) {
          ctx.addIssue({ code: "custom", path: ["windowStart"], message: `Window starts after the deployment stopped (${formatInstant(activeTo, timeZone)})` });
        } else if (end > latest) {
          ctx.addIssue({ code: "custom", path: ["windowSeconds"], message: "Window can't end in the future" });
        } else if (activeTo && end > activeTo.getTime()) {
          ctx.addIssue({ code: "custom", path: ["windowSeconds"], message: `Window ends after the deployment stopped (${formatInstant(activeTo, timeZone)})` });
        }
      },
      { when: fieldsParsed("windowStart", "windowSeconds") },
    )
    .superRefine(
      ({ requests, errors }, ctx) => {
        if (errors > requests) ctx.addIssue({ code: "custom", path: ["errors"], message: "Errors cannot exceed requests" });
      },
      { when: fieldsParsed("requests", "errors") },
    )
    .superRefine(
      ({ inputTokens, cachedInputTokens }, ctx) => {
        if (cachedInputTokens > inputTokens) {
          ctx.addIssue({ code: "custom", path: ["cachedInputTokens"], message: "Cached input tokens cannot exceed input tokens" });
        }
      },
      { when: fieldsParsed("inputTokens", "cachedInputTokens") },
    )
    .superRefine(
      (window, ctx) => {
        const given = LATENCY_FIELDS.filter(([key]) => window[key] !== null);
        if (given.length === 0) return;
        if (given.length < LATENCY_FIELDS.length) {
          for (const [key, percentile] of LATENCY_FIELDS) {
            if (window[key] === null) {
              ctx.addIssue({ code: "custom", path: [key], message: `Enter ${percentile} latency too, or leave all three latency percentiles empty` });
            }
          }
          return;
        }
        const { latencyP50Ms: p50, latencyP95Ms: p95, latencyP99Ms: p99 } = window;
        if (p50 !== null && p95 !== null && compareDecimals(p50, p95) > 0) {
          ctx.addIssue({ code: "custom", path: ["latencyP95Ms"], message: "p95 latency can't be lower than p50 latency" });
        }
        if (p95 !== null && p99 !== null && compareDecimals(p95, p99) > 0) {
          ctx.addIssue({ code: "custom", path: ["latencyP99Ms"], message: "p99 latency can't be lower than p95 latency" });
        }
      },
      { when: fieldsParsed("latencyP50Ms", "latencyP95Ms", "latencyP99Ms") },
    )
    .superRefine(
      ({ requests, latencyP50Ms }, ctx) => {
        if (requests === 0n && latencyP50Ms !== null) {
          ctx.addIssue({ code: "custom", path: ["latencyP50Ms"], message: "A window with no requests has no latency; leave the percentiles empty" });
        }
      },
      { when: fieldsParsed("requests", "latencyP50Ms") },
    );
}

export type UsageWindowValues = z.output<ReturnType<typeof usageWindowSchema>>;
