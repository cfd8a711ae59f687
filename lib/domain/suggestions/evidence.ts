/** Building suggestions: subjects, stable ids and evidence text with units. */
import { formatGpuCount, formatMs, formatPercent, formatPricePerGpuHour } from "../display";
import { formatUsd } from "../money";
import type { Ratio } from "./arithmetic";
import type { Confidence, DeploymentFacts, EffectSource, Evidence, MonthlySaving, RuleId, RunFacts, Suggestion, SuggestionSubject } from "./types";

export function runSubject(f: RunFacts): SuggestionSubject {
  return { kind: "run", id: f.id, name: f.name, teamId: f.teamId };
}

export function deploymentSubject(f: DeploymentFacts): SuggestionSubject {
  return { kind: "deployment", id: f.id, name: f.name, teamId: f.teamId };
}

export function suggestionId(ruleId: RuleId, subject: SuggestionSubject): string {
  return `${ruleId}:${subject.kind}:${subject.id}`;
}

export function suggestion(parts: {
  ruleId: RuleId;
  subject: SuggestionSubject;
  title: string;
  evidence: Evidence[];
  action: string;
  monthlySaving: MonthlySaving;
  confidence: Confidence;
  effectSource: EffectSource;
  costsMoney?: boolean;
}): Suggestion {
  const { costsMoney, ...rest } = parts;
  return { id: suggestionId(parts.ruleId, parts.subject), ...rest, ...(costsMoney ? { costsMoney: true } : {}) };
}

// ---------------------------------------------------------------- values with units

export const NO_DATA = "No data";

export function usd(cents: bigint): string {
  return formatUsd({ cents });
}

export function usdPerMonth(cents: bigint): string {
  return `${usd(cents)} / month`;
}

export function share(r: Ratio | null): string {
  return r === null || r.den === 0n ? NO_DATA : formatPercent(Number(r.num) / Number(r.den));
}

/** Basis points as a percentage: "40%" when whole, else "33.3%". */
export function bpsText(value: bigint): string {
  return value % 100n === 0n ? `${value / 100n}%` : formatPercent(Number(value) / 10_000);
}

export function fraction(value: number | null): string {
  return value === null ? NO_DATA : formatPercent(value);
}

export function hours(ms: number): string {
  return `${new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 3_600_000)} h`;
}

export function ms(value: number | null): string {
  return value === null ? NO_DATA : formatMs(value);
}

export function gpus(count: bigint | number): string {
  return formatGpuCount(Number(count));
}

export function price(micros: bigint | null): string {
  return formatPricePerGpuHour(micros);
}

export function parameters(count: bigint | null): string {
  if (count === null) return NO_DATA;
  const value = Number(count);
  const format = (n: number, unit: string) => `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(n)}${unit} parameters`;
  return value >= 1e9 ? format(value / 1e9, "B") : format(value / 1e6, "M");
}

export function gigabytes(bytes: bigint): string {
  return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(Number(bytes) / 1e9)} GB`;
}

export function count(value: bigint | number, unit: string): string {
  return `${BigInt(value).toLocaleString("en-US")} ${unit}`;
}
