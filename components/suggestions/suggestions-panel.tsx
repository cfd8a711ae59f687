import Link from "next/link";
import type { Route } from "next";
import { listedSuggestions } from "@/lib/domain/suggestions/listing";
import type { AppliedSuggestion, DecidedSuggestion, SuggestionPanelData } from "@/lib/db/queries/suggestion-states";
import { formatDateTime, formatPeriod } from "@/lib/domain/labels";
import { formatUsd } from "@/lib/domain/money";
import type { Outcome, Trend, VerdictKind } from "@/lib/domain/suggestions/outcome";
import type { Suggestion } from "@/lib/domain/suggestions/types";
import type { TimeRange } from "@/lib/domain/time-range";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { Skeleton } from "@/components/ui/skeleton";
import { OpenSuggestionActions, ReopenSuggestion } from "./decision-forms";

/**
 * Optimization suggestions for a scope (org, team, run, deployment), ranked
 * by estimated monthly saving, each with its evidence and the source of its
 * effect one click away (a native disclosure, keyboard accessible), the
 * decisions people made (dismissed / snoozed hidden but listed on request;
 * applied with their before/after), and loading, empty and error states.
 * The page streams it (app/_suggestions/section.tsx).
 */

const TITLE = "Suggestions";
/** Shown at once; the rest behind "Show more". */
const FIRST = 8;
/**
 * On a dashboard (org or team overview) the panel shows the largest savings
 * only, with a link to the full list: each suggestion with its evidence and
 * forms is ~10 kB of document, and the overview is the page people open most.
 */
export const DASHBOARD_FIRST = 5;

export function SuggestionsSkeleton({ title = TITLE }: { title?: string }) {
  return (
    <Card title={title}>
      <div role="status" aria-label="Loading suggestions" className="space-y-3 p-4">
        {Array.from({ length: 3 }, (_, i) => (
          <div key={i} className="space-y-1.5">
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-3 w-full" />
          </div>
        ))}
      </div>
    </Card>
  );
}

export function SuggestionsFailed({ title = TITLE }: { title?: string }) {
  return (
    <Card title={title}>
      {/* data-load-failed: the page cache never keeps a page showing it (lib/cache/page-cache.ts), so a reload tries again. */}
      <p role="alert" data-load-failed="" className="px-4 py-6 text-sm text-red-800">
        Suggestions could not be loaded just now. The figures on this page are not affected; reload to try again.
      </p>
    </Card>
  );
}

export function SuggestionsPanel({
  data,
  zoneLabel,
  now,
  title = TITLE,
  allHref,
  listAll = false,
}: {
  data: SuggestionPanelData;
  zoneLabel: string;
  now: Date;
  title?: string;
  /** A dashboard's panel: the first DASHBOARD_FIRST, and a link here to all of them. */
  allHref?: Route;
  /** The suggestions page: every listed suggestion at once. */
  listAll?: boolean;
}) {
  const { timeZone } = data;
  const today = formatDateTime({ instant: now, timeZone }).slice(0, 10);
  const hidden = data.dismissed.length + data.snoozed.length;
  const ctx: Ctx = { timeZone, zoneLabel, today, canWrite: data.canWrite, writableTeamIds: data.writableTeamIds };
  const listed = listedSuggestions(data.open);
  return (
    <section aria-labelledby="suggestions-heading" data-testid="suggestions-panel" data-print="flow" className="rounded-lg border border-slate-200 bg-white">
      <header className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 border-b border-slate-200 px-4 py-2">
        <h2 id="suggestions-heading" className="text-sm font-semibold text-slate-800">
          {title}
        </h2>
        <p className="text-xs text-slate-500">
          From the last 30 days · {formatPeriod({ range: data.period, timeZone })} · {zoneLabel}. Ranked by estimated saving; savings of one item overlap.
        </p>
      </header>
      {data.open.length === 0 ? (
        <EmptyState title={hidden + data.applied.length > 0 ? "No open suggestions for this period" : "No suggestions for this period"}>
          {hidden + data.applied.length > 0
            ? [
                data.applied.length > 0 ? `${data.applied.length} applied (below, with before and after)` : null,
                hidden > 0 ? `${hidden} dismissed or snoozed (listed below on request)` : null,
              ]
                .filter(Boolean)
                .join("; ") + "."
            : "Nothing in the last 30 days triggered a rule."}
        </EmptyState>
      ) : (
        <>
          <ol aria-label="Open suggestions" className="divide-y divide-slate-100">
            {(listAll ? listed : data.open.slice(0, allHref ? DASHBOARD_FIRST : FIRST)).map((s) => (
              <SuggestionItem key={s.id} suggestion={s} ctx={ctx} />
            ))}
          </ol>
          {allHref ? (
            data.open.length > DASHBOARD_FIRST ? (
              <p data-print="hide" className="border-t border-slate-100 px-4 py-2 text-sm">
                <Link href={allHref} data-testid="all-suggestions" className="font-medium text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
                  All {data.open.length.toLocaleString("en-US")} open suggestions
                </Link>{" "}
                <span className="text-xs text-slate-500">({(data.open.length - DASHBOARD_FIRST).toLocaleString("en-US")} more, with their evidence)</span>
              </p>
            ) : null
          ) : !listAll && listed.length > FIRST ? (
            <details className="border-t border-slate-100">
              <summary className="cursor-pointer px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600">
                Show {listed.length - FIRST} more
              </summary>
              <ol aria-label="More open suggestions" className="divide-y divide-slate-100">
                {listed.slice(FIRST).map((s) => (
                  <SuggestionItem key={s.id} suggestion={s} ctx={ctx} />
                ))}
              </ol>
              {listed.length < data.open.length ? (
                <p data-testid="suggestions-unlisted" className="border-t border-slate-100 px-4 py-2 text-xs text-slate-600">
                  {(data.open.length - listed.length).toLocaleString("en-US")} more open suggestions with smaller savings are not listed here; each is on its
                  training run&apos;s or deployment&apos;s own page.
                </p>
              ) : null}
            </details>
          ) : null}
          {listAll && listed.length < data.open.length ? (
            <p data-testid="suggestions-unlisted" className="border-t border-slate-100 px-4 py-2 text-xs text-slate-600">
              {(data.open.length - listed.length).toLocaleString("en-US")} more open suggestions with smaller savings are not listed here; each is on its training
              run&apos;s or deployment&apos;s own page.
            </p>
          ) : null}
        </>
      )}
      {hidden > 0 ? <HiddenSuggestions dismissed={data.dismissed} snoozed={data.snoozed} ctx={ctx} /> : null}
      {data.applied.length > 0 ? <AppliedSection applied={data.applied} ctx={ctx} /> : null}
    </section>
  );
}

interface Ctx {
  timeZone: string;
  zoneLabel: string;
  today: string;
  canWrite: boolean;
  writableTeamIds: number[] | "all";
}

/** Buttons only where the person may act: on the panel's scope and on the suggestion's own team (the action checks again). */
function canActOn(ctx: Ctx, teamId: number): boolean {
  return ctx.canWrite && (ctx.writableTeamIds === "all" || ctx.writableTeamIds.includes(teamId));
}

const CONFIDENCE_TONE: Record<Suggestion["confidence"], BadgeTone> = { high: "good", medium: "info", low: "neutral" };

function subjectHref(s: Pick<Suggestion, "subject">): Route | null {
  if (s.subject.kind === "run") return `/training/${s.subject.id}` as Route;
  if (s.subject.kind === "deployment") return `/inference/${s.subject.id}` as Route;
  return null;
}

/** "$1,200.00–$1,800.00/month", or what a change that costs money costs. */
export function savingText(s: Pick<Suggestion, "monthlySaving" | "costsMoney">): string {
  const { lowCents, highCents } = s.monthlySaving;
  if (s.costsMoney) {
    const most = -(lowCents < highCents ? lowCents : highCents);
    const least = -(lowCents < highCents ? highCents : lowCents);
    return least === most ? `costs ${formatUsd({ cents: most })}/month more` : `costs ${formatUsd({ cents: least })}–${formatUsd({ cents: most })}/month more`;
  }
  if (lowCents === 0n && highCents === 0n) return "no saving claimed";
  return lowCents === highCents ? `${formatUsd({ cents: lowCents })}/month` : `${formatUsd({ cents: lowCents })}–${formatUsd({ cents: highCents })}/month`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function periodText(period: TimeRange | null, timeZone: string): string {
  return period ? formatPeriod({ range: period, timeZone }) : "Current";
}

function SuggestionHead({ suggestion: s }: { suggestion: Suggestion }) {
  const href = subjectHref(s);
  return (
    <div className="flex flex-col gap-1 sm:flex-row sm:items-start sm:justify-between sm:gap-4">
      <div className="min-w-0">
        <h3 className="text-sm font-semibold text-slate-900">{s.title}</h3>
        <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600">
          {href ? (
            <Link href={href} className="font-medium text-blue-700 hover:underline">
              {s.subject.name}
            </Link>
          ) : (
            <span className="font-medium">{s.subject.name}</span>
          )}
          <Badge tone={CONFIDENCE_TONE[s.confidence]}>{s.confidence} confidence</Badge>
        </p>
      </div>
      <p className="shrink-0 text-left sm:text-right">
        <span className="block text-xs text-slate-500">{s.costsMoney ? "Estimated cost" : "Estimated saving"}</span>
        <span data-testid="suggestion-saving" className={`text-sm font-semibold tabular-nums ${s.costsMoney ? "text-amber-800" : "text-emerald-800"}`}>
          {savingText(s)}
        </span>
      </p>
    </div>
  );
}

function Evidence({ suggestion: s, timeZone, zoneLabel }: { suggestion: Suggestion; timeZone: string; zoneLabel: string }) {
  return (
    <details className="group mt-1.5 rounded-md border border-slate-200">
      <summary className="cursor-pointer rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600">
        Evidence and source
      </summary>
      <div className="border-t border-slate-200">
        <ScrollRegion label={`Evidence: ${s.title}`}>
          <table className="w-full max-w-4xl border-collapse text-xs">
            <caption className="sr-only">Figures behind “{s.title}” ({zoneLabel})</caption>
            <thead>
              <tr className="bg-slate-50 text-left font-semibold text-slate-600">
                <th scope="col" className="px-2 py-1">
                  Figure
                </th>
                <th scope="col" className="px-2 py-1 text-right">
                  Value
                </th>
                <th scope="col" className="hidden px-2 py-1 sm:table-cell">
                  Period
                </th>
              </tr>
            </thead>
            <tbody>
              {s.evidence.map((e, i) => (
                <tr key={i} className="border-t border-slate-100 align-top">
                  <th scope="row" className="px-2 py-1 text-left font-normal text-slate-700">
                    {e.label}
                    <span className="block text-[11px] text-slate-500 sm:hidden">{periodText(e.period, timeZone)}</span>
                  </th>
                  <td className="px-2 py-1 text-right tabular-nums text-slate-900">{e.value}</td>
                  <td className="hidden whitespace-nowrap px-2 py-1 text-slate-500 sm:table-cell">{periodText(e.period, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
        <p className="border-t border-slate-100 px-2 py-1.5 text-xs text-slate-600">
          <span className="font-medium">{s.effectSource.kind === "published" ? "Source: " : "Assumption: "}</span>
          {s.effectSource.text}
          {s.effectSource.url ? (
            <>
              {" "}
              <a href={s.effectSource.url} target="_blank" rel="noreferrer" className="text-blue-700 underline">
                {hostOf(s.effectSource.url)}
              </a>
            </>
          ) : null}
        </p>
      </div>
    </details>
  );
}

function SuggestionItem({ suggestion: s, ctx }: { suggestion: Suggestion; ctx: Ctx }) {
  return (
    <li data-testid="suggestion" data-suggestion-id={s.id} className="space-y-1 px-4 py-3">
      <SuggestionHead suggestion={s} />
      <p className="text-sm text-slate-700">{s.action}</p>
      <Evidence suggestion={s} timeZone={ctx.timeZone} zoneLabel={ctx.zoneLabel} />
      {canActOn(ctx, s.subject.teamId) ? (
        <div className="pt-1">
          <OpenSuggestionActions suggestionKey={s.id} timeZone={ctx.timeZone} today={ctx.today} />
        </div>
      ) : null}
    </li>
  );
}

function HiddenSuggestions({ dismissed, snoozed, ctx }: { dismissed: DecidedSuggestion[]; snoozed: DecidedSuggestion[]; ctx: Ctx }) {
  const parts = [dismissed.length > 0 ? `${dismissed.length} dismissed` : null, snoozed.length > 0 ? `${snoozed.length} snoozed` : null].filter(Boolean).join(", ");
  const row = ({ suggestion: s, state }: DecidedSuggestion) => (
    <li key={s.id} data-testid="hidden-suggestion" data-suggestion-id={s.id} className="flex flex-col gap-1 px-4 py-2 sm:flex-row sm:items-center sm:justify-between">
      <div className="min-w-0 text-sm">
        <span className="font-medium text-slate-800">{s.title}</span> <span className="text-slate-600">· {s.subject.name}</span>
        <span className="block text-xs text-slate-500">
          {state.status === "SNOOZED"
            ? `Snoozed by ${state.actorName} until ${formatDateTime({ instant: state.snoozedUntil, timeZone: ctx.timeZone })}`
            : `Dismissed by ${state.actorName} on ${formatDateTime({ instant: state.updatedAt, timeZone: ctx.timeZone }).slice(0, 10)}`}
          {" · "}
          <span className="tabular-nums">{savingText(s)}</span>
        </span>
      </div>
      {canActOn(ctx, state.teamId) ? <ReopenSuggestion suggestionKey={s.id} timeZone={ctx.timeZone} /> : null}
    </li>
  );
  return (
    <details className="border-t border-slate-200">
      <summary className="cursor-pointer px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600">
        Show dismissed and snoozed ({parts})
      </summary>
      <ul className="divide-y divide-slate-100 border-t border-slate-100">{[...snoozed, ...dismissed].map(row)}</ul>
    </details>
  );
}

const VERDICT_TONE: Record<VerdictKind, BadgeTone> = {
  noData: "neutral",
  materialized: "good",
  partial: "warn",
  notMaterialized: "bad",
  withinEstimate: "good",
  overEstimate: "warn",
};

const VERDICT_BADGE: Record<VerdictKind, string> = {
  noData: "No data yet",
  materialized: "Paid off",
  partial: "Partly",
  notMaterialized: "Not yet",
  withinEstimate: "As estimated",
  overEstimate: "Over estimate",
};

const TREND_TEXT: Record<Trend, string> = { better: "better", worse: "worse", same: "unchanged", unknown: "" };

function AppliedSection({ applied, ctx }: { applied: AppliedSuggestion[]; ctx: Ctx }) {
  return (
    <div className="border-t border-slate-200">
      <h3 className="bg-slate-50 px-4 py-1.5 text-xs font-semibold uppercase tracking-wide text-slate-600">Applied ({applied.length})</h3>
      <ul className="divide-y divide-slate-100">
        {applied.map(({ state, outcome }) => {
          const s = state.snapshot.suggestion;
          const href = subjectHref(s);
          return (
            <li key={state.id} data-testid="applied-suggestion" data-suggestion-id={state.key.key} className="space-y-2 px-4 py-3">
              <div className="flex flex-col gap-1 sm:flex-row sm:items-start sm:justify-between">
                <div className="min-w-0">
                  <p className="text-sm font-semibold text-slate-900">{s.title}</p>
                  <p className="text-xs text-slate-600">
                    {href ? (
                      <Link href={href} className="font-medium text-blue-700 hover:underline">
                        {s.subject.name}
                      </Link>
                    ) : (
                      s.subject.name
                    )}{" "}
                    · applied on {formatDateTime({ instant: state.appliedAt, timeZone: ctx.timeZone }).slice(0, 10)} by {state.actorName} · estimated{" "}
                    <span className="tabular-nums">{savingText(s)}</span>
                  </p>
                </div>
                {canActOn(ctx, state.teamId) ? <ReopenSuggestion suggestionKey={state.key.key} timeZone={ctx.timeZone} label="Undo applied" /> : null}
              </div>
              {outcome ? <BeforeAfter outcome={outcome} ctx={ctx} /> : <p className="text-xs text-slate-600">No before/after yet: the item no longer exists or the applied day has not begun.</p>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function BeforeAfter({ outcome, ctx }: { outcome: Outcome; ctx: Ctx }) {
  const isRun = outcome.subjectKind === "run";
  const money = (cents: bigint | null) => (cents === null ? "No data" : `${formatUsd({ cents })}/month`);
  return (
    <div data-testid="before-after" className="rounded-md border border-slate-200">
      <ScrollRegion label="Before and after">
        <table className="w-full max-w-4xl border-collapse text-xs">
          <caption className="sr-only">Before and after ({ctx.zoneLabel})</caption>
          <thead>
            <tr className="bg-slate-50 text-left font-semibold text-slate-600">
              <th scope="col" className="px-2 py-1">
                {isRun ? "Compared" : "Per average month"}
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                {isRun ? "The applied run" : "Before"}
                <span className="block font-normal text-slate-500">{formatPeriod({ range: outcome.before.period, timeZone: ctx.timeZone })}</span>
              </th>
              <th scope="col" className="px-2 py-1 text-right">
                {isRun ? "Later runs" : "After"}
                <span className="block font-normal text-slate-500">{formatPeriod({ range: outcome.after.period, timeZone: ctx.timeZone })}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {isRun ? null : (
              <tr className="border-t border-slate-100">
                <th scope="row" className="px-2 py-1 text-left font-normal text-slate-700">
                  Cost
                </th>
                <td className="px-2 py-1 text-right tabular-nums">{money(outcome.before.monthlyCents)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{money(outcome.after.monthlyCents)}</td>
              </tr>
            )}
            <tr className="border-t border-slate-100">
              <th scope="row" className="px-2 py-1 text-left font-normal text-slate-700">
                {outcome.before.metric.label}
              </th>
              <td className="px-2 py-1 text-right tabular-nums">{outcome.before.metric.text}</td>
              <td className="px-2 py-1 text-right tabular-nums">
                {outcome.after.metric.text}
                {TREND_TEXT[outcome.trend] ? <span className="ml-1 text-slate-500">({TREND_TEXT[outcome.trend]})</span> : null}
              </td>
            </tr>
            {outcome.before.note || outcome.after.note ? (
              <tr className="border-t border-slate-100 text-slate-500">
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  Covers
                </th>
                <td className="px-2 py-1 text-right">{outcome.before.note ?? ""}</td>
                <td className="px-2 py-1 text-right">{outcome.after.note ?? ""}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </ScrollRegion>
      <p className="flex flex-wrap items-center gap-2 border-t border-slate-100 px-2 py-1.5 text-xs">
        <Badge tone={VERDICT_TONE[outcome.verdict.kind]}>{VERDICT_BADGE[outcome.verdict.kind]}</Badge>
        <span data-testid="verdict" className="text-slate-700">
          {outcome.verdict.text}
        </span>
      </p>
      <p className="border-t border-slate-100 px-2 py-1 text-[11px] text-slate-500">
        {isRun
          ? "Compute cost per 1M tokens of this run against the team's runs of the same model started since; the dollar figure applies the change to the run's monthly compute when it was applied."
          : "Equal numbers of whole days before and after the day it was applied; each window's cost per average month (30.44 days) over its elapsed time, from the same ledger as the rest of the dashboard."}
      </p>
    </div>
  );
}
