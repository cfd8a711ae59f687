/**
 * The suggestion engine: every rule over every item, contradictions on the
 * same item removed, ranked by estimated monthly saving (high end, then low
 * end). Pure: the read model fills RunFacts / DeploymentFacts (types.ts).
 *
 * Contradictions. Each rule's action carries conflict tags; two suggestions
 * for the same item conflict when their tags form a CONFLICTING_TAGS pair.
 * Per item, in this order:
 * 1. a data gap ("usage-data-gap") withholds every rule that reads idle
 *   figures (usesIdleFigures): untracked time is no data, never idle;
 * 2. adding capacity (p99 above SLO) beats every capacity reduction: a
 *   deployment breaching its SLO is never told to shrink;
 * 3. of the rest, higher-ranked suggestions are kept and a lower-ranked one
 *   that conflicts with a kept one is dropped.
 * Savings of different suggestions for one item overlap (each is computed
 * from the same spend) and must not be added up.
 */
import { commitmentPricingRule, idleCapacityRule, sloScaleOutRule, smallerGpuTypeRule, smallerModelRule } from "./capacity-rules";
import { usageDataGapRule } from "./data-rules";
import { continuousBatchingRule, flashAttentionServingRule, prefixCachingRule, quantizeWeightsRule } from "./serving-rules";
import { flashAttentionTrainingRule, gradientCheckpointingRule, loraRule, mixedPrecisionRule, trainingEfficiencyRule } from "./training-rules";
import type { DeploymentFacts, RuleId, RunFacts, Suggestion } from "./types";

export type * from "./types";

/** What a suggestion's action does to the item, for finding contradictions. */
export type ConflictTag = "adds-capacity" | "removes-capacity" | "changes-gpu-type" | "commits-current-gpus";

/** Pairs of actions that contradict each other on the same item. */
export const CONFLICTING_TAGS: readonly (readonly [ConflictTag, ConflictTag])[] = [
  // Scale out vs scale down / consolidate / fewer GPUs.
  ["adds-capacity", "removes-capacity"],
  // Committing to today's GPUs vs removing some of them.
  ["commits-current-gpus", "removes-capacity"],
  // Committing to today's GPU type vs moving off it.
  ["commits-current-gpus", "changes-gpu-type"],
];

interface RuleInfo {
  id: RuleId;
  tags: readonly ConflictTag[];
  /** Reads idle share or utilization of recorded time: withheld while usage records have gaps. */
  usesIdleFigures: boolean;
}

export type Rule =
  | (RuleInfo & { subject: "run"; evaluate: (facts: RunFacts) => Suggestion | null })
  | (RuleInfo & { subject: "deployment"; evaluate: (facts: DeploymentFacts) => Suggestion | null });

const run = (id: RuleId, evaluate: (facts: RunFacts) => Suggestion | null): Rule => ({ id, subject: "run", evaluate, tags: [], usesIdleFigures: false });
const deployment = (id: RuleId, evaluate: (facts: DeploymentFacts) => Suggestion | null, tags: readonly ConflictTag[] = [], usesIdleFigures = false): Rule => ({
  id,
  subject: "deployment",
  evaluate,
  tags,
  usesIdleFigures,
});

/** Every rule, in the order that breaks ties between equal savings. */
export const ALL_RULES: readonly Rule[] = [
  deployment("slo-scale-out", sloScaleOutRule, ["adds-capacity"]),
  deployment("usage-data-gap", usageDataGapRule),
  run("mixed-precision", mixedPrecisionRule),
  run("lora-instead-of-full-fine-tune", loraRule),
  run("training-efficiency", trainingEfficiencyRule),
  run("gradient-checkpointing", gradientCheckpointingRule),
  run("flash-attention-training", flashAttentionTrainingRule),
  deployment("idle-capacity", idleCapacityRule, ["removes-capacity"], true),
  deployment("commitment-pricing", commitmentPricingRule, ["commits-current-gpus"]),
  deployment("quantize-weights", quantizeWeightsRule, ["removes-capacity"]),
  deployment("continuous-batching", continuousBatchingRule, ["removes-capacity"]),
  deployment("smaller-gpu-type", smallerGpuTypeRule, ["changes-gpu-type", "removes-capacity"], true),
  deployment("smaller-model", smallerModelRule, ["removes-capacity"]),
  deployment("prefix-caching", prefixCachingRule),
  deployment("flash-attention-serving", flashAttentionServingRule),
];

const RULES_BY_ID = new Map<RuleId, Rule>(ALL_RULES.map((r) => [r.id, r]));
const RULE_ORDER = new Map<RuleId, number>(ALL_RULES.map((r, i) => [r.id, i]));

export function ruleFor(id: RuleId): Rule {
  const rule = RULES_BY_ID.get(id);
  if (!rule) throw new RangeError(`Unknown rule ${id}`);
  return rule;
}

function subjectKey(s: Suggestion): string {
  return `${s.subject.kind}:${s.subject.id}`;
}

/** Do two suggestions' actions contradict each other on the same item? */
export function isConflict(a: Suggestion, b: Suggestion): boolean {
  if (subjectKey(a) !== subjectKey(b)) return false;
  const tagsA = ruleFor(a.ruleId).tags;
  const tagsB = ruleFor(b.ruleId).tags;
  return CONFLICTING_TAGS.some(([x, y]) => (tagsA.includes(x) && tagsB.includes(y)) || (tagsA.includes(y) && tagsB.includes(x)));
}

const KIND_ORDER = { deployment: 0, run: 1, team: 2 } as const;

/** Ranking: saving high end, then low end, both descending; then rule order, subject kind and id, so the order is total and stable. */
export function compareSuggestions(a: Suggestion, b: Suggestion): number {
  const byBig = (x: bigint, y: bigint) => (x > y ? -1 : x < y ? 1 : 0);
  return (
    byBig(a.monthlySaving.highCents, b.monthlySaving.highCents) ||
    byBig(a.monthlySaving.lowCents, b.monthlySaving.lowCents) ||
    RULE_ORDER.get(a.ruleId)! - RULE_ORDER.get(b.ruleId)! ||
    KIND_ORDER[a.subject.kind] - KIND_ORDER[b.subject.kind] ||
    a.subject.id - b.subject.id
  );
}

/** Removes contradictions per item (see the file header) and ranks what is left. */
export function resolveConflicts(candidates: readonly Suggestion[]): Suggestion[] {
  const byItem = new Map<string, Suggestion[]>();
  for (const s of candidates) byItem.set(subjectKey(s), [...(byItem.get(subjectKey(s)) ?? []), s]);
  const kept: Suggestion[] = [];
  for (const items of byItem.values()) {
    let list = items;
    if (list.some((s) => s.ruleId === "usage-data-gap")) list = list.filter((s) => !ruleFor(s.ruleId).usesIdleFigures);
    if (list.some((s) => ruleFor(s.ruleId).tags.includes("adds-capacity"))) list = list.filter((s) => !ruleFor(s.ruleId).tags.includes("removes-capacity"));
    const ranked = [...list].sort((a, b) => (ruleFor(a.ruleId).tags.includes("adds-capacity") ? -1 : 0) - (ruleFor(b.ruleId).tags.includes("adds-capacity") ? -1 : 0) || compareSuggestions(a, b));
    const mine: Suggestion[] = [];
    for (const s of ranked) if (!mine.some((k) => k.id === s.id || isConflict(k, s))) mine.push(s);
    kept.push(...mine);
  }
  return kept.sort(compareSuggestions);
}

/** Every rule over every run and deployment; contradictions removed; ranked by saving. */
export function suggestionsFor({ runs = [], deployments = [] }: { runs?: readonly RunFacts[]; deployments?: readonly DeploymentFacts[] }): Suggestion[] {
  const candidates: Suggestion[] = [];
  for (const rule of ALL_RULES) {
    if (rule.subject === "run") {
      for (const facts of runs) {
        const s = rule.evaluate(facts);
        if (s) candidates.push(s);
      }
    } else {
      for (const facts of deployments) {
        const s = rule.evaluate(facts);
        if (s) candidates.push(s);
      }
    }
  }
  return resolveConflicts(candidates);
}
