import { z } from "zod";
import {
  CLOCK_SKEW_MS,
  bigInteger,
  compareDecimals,
  type CrossFieldCheck,
  decimal,
  defaultRule,
  entityReader,
  entitySchema,
  formatInstant,
  instant,
  integer,
  MIN_INSTANT,
  optionalRule,
  recordId,
  requiredRule,
  type RuleValues,
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
 * entered by hand, imported or sent to the API. Latency is given as summary
 * percentiles (all three or none). The window must lie inside the
 * deployment's active period and not in the future.
 *
 * A batch (API, CSV import) passes its deployments' periods as a lookup, so
 * it builds one set of rules for all its windows: zod compiles each schema
 * object on its first parse, and a schema per deployment cost a 1,000-window
 * batch over 100 deployments ~80 ms of building and compiling.
 */
function usageWindowRules({
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
  const periodOf = (id: number): DeploymentPeriod | undefined => (typeof deployment !== "function" ? deployment : deployment(id));
  const rules = {
    deploymentId: requiredRule(recordId({ label: "Deployment" }), "Choose a deployment"),
    windowStart: requiredRule(instant({ label: "Window start" })),
    windowSeconds: requiredRule(integer({ label: "Window length", min: 1, max: MAX_WINDOW_SECONDS, unit: (n) => (n === 1n ? " second" : " seconds") })),
    requests: requiredRule(bigInteger({ label: "Requests", min: 0n, max: MAX_REQUESTS })),
    errors: defaultRule(bigInteger({ label: "Errors", min: 0n, max: MAX_REQUESTS }), 0n),
    inputTokens: requiredRule(tokens("Input tokens")),
    cachedInputTokens: defaultRule(tokens("Cached input tokens"), 0n),
    outputTokens: requiredRule(tokens("Output tokens")),
    latencyP50Ms: optionalRule(latencyField("p50")),
    latencyP95Ms: optionalRule(latencyField("p95")),
    latencyP99Ms: optionalRule(latencyField("p99")),
    avgGpuUtilizationPct: optionalRule(gpuUtilizationPctField),
  };
  const checks: CrossFieldCheck<RuleValues<typeof rules>>[] = [
    {
      fields: ["deploymentId"],
      check({ deploymentId }, issue) {
        if (typeof deployment !== "function" && deployment.id !== undefined && deploymentId !== deployment.id) issue("deploymentId", "This window belongs to a different deployment");
      },
    },
    {
      fields: ["windowStart", "windowSeconds"],
      check({ deploymentId, windowStart, windowSeconds }, issue) {
        const start = windowStart.getTime();
        const end = start + windowSeconds * 1000;
        // An unresolved (or unparsed) deployment: only the clock applies (the caller reports the reference).
        const { activeFrom, activeTo } = (typeof deploymentId === "number" ? periodOf(deploymentId) : undefined) ?? { activeFrom: MIN_INSTANT, activeTo: null };
        if (start > latest) {
          issue("windowStart", "Window start can't be in the future");
        } else if (start < activeFrom.getTime()) {
          issue("windowStart", `Window starts before the deployment went live (${formatInstant(activeFrom, timeZone)})`);
        } else if (activeTo && start >= activeTo.getTime()) {
          issue("windowStart", `Window starts after the deployment stopped (${formatInstant(activeTo, timeZone)})`);
        } else if (end > latest) {
          issue("windowSeconds", "Window can't end in the future");
        } else if (activeTo && end > activeTo.getTime()) {
          issue("windowSeconds", `Window ends after the deployment stopped (${formatInstant(activeTo, timeZone)})`);
        }
      },
    },
    {
      fields: ["requests", "errors"],
      check({ requests, errors }, issue) {
        if (errors > requests) issue("errors", "Errors cannot exceed requests");
      },
    },
    {
      fields: ["inputTokens", "cachedInputTokens"],
      check({ inputTokens, cachedInputTokens }, issue) {
        if (cachedInputTokens > inputTokens) issue("cachedInputTokens", "Cached input tokens cannot exceed input tokens");
      },
    },
    {
      fields: ["latencyP50Ms", "latencyP95Ms", "latencyP99Ms"],
      check(window, issue) {
        const given = LATENCY_FIELDS.filter(([key]) => window[key] !== null);
        if (given.length === 0) return;
        if (given.length < LATENCY_FIELDS.length) {
          for (const [key, percentile] of LATENCY_FIELDS) {
            if (window[key] === null) issue(key, `Enter ${percentile} latency too, or leave all three latency percentiles empty`);
          }
          return;
        }
        const { latencyP50Ms: p50, latencyP95Ms: p95, latencyP99Ms: p99 } = window;
        if (p50 !== null && p95 !== null && compareDecimals(p50, p95) > 0) issue("latencyP95Ms", "p95 latency can't be lower than p50 latency");
        if (p95 !== null && p99 !== null && compareDecimals(p95, p99) > 0) issue("latencyP99Ms", "p99 latency can't be lower than p95 latency");
      },
    },
    {
      fields: ["requests", "latencyP50Ms"],
      check({ requests, latencyP50Ms }, issue) {
        if (requests === 0n && latencyP50Ms !== null) issue("latencyP50Ms", "A window with no requests has no latency; leave the percentiles empty");
      },
    },
  ];
  return { rules, checks };
}

type UsageWindowOptions = Parameters<typeof usageWindowRules>[0];

/** The usage window as a zod schema: forms, CSV rows, the action's re-check. */
export function usageWindowSchema(options: UsageWindowOptions) {
  const { rules, checks } = usageWindowRules(options);
  return entitySchema(rules, checks, "Expected the usage window's fields");
}

/** The same rules read without zod, for the API's batches of typed windows (entityReader). */
export function usageWindowReader(options: UsageWindowOptions) {
  const { rules, checks } = usageWindowRules(options);
  return entityReader(rules, checks);
}

export type UsageWindowValues = z.output<ReturnType<typeof usageWindowSchema>>;
