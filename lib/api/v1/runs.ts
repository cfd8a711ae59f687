import "server-only";
import { authorizeTeam, orgWhere, type Denied } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { noPendingRollups, planBatch, writePlannedBatch } from "@/lib/db/mutations/record-batch";
import { teamBySlug } from "@/lib/db/queries/teams";
import { Prisma, type SqlRunner } from "@/lib/db/sql";
import { trainingRunSchema } from "@/lib/validation/entities/training-run";
import type { ApiIssue } from "./error-body";
import { apiWriteTransaction, rollBackWith, type IdempotentRequest } from "./idempotency";
import { v1Invalid, zodIssues } from "./responses";
import type { RunInput } from "./runs-schema";

/**
 * PUT /api/v1/runs/{externalId}: the run with this external id in the
 * team is created, or updated with the fields sent (the others keep their
 * stored values), through the one batch write path (record-batch.ts) with
 * audit source "api", and its costs rolled up in the same transaction.
 */

/** pg_advisory_xact_lock namespace: one run upsert per team at a time (two first PUTs of one job id must not both insert). */
const RUN_UPSERT_LOCK = 7_384_117;

/** Entity field → the API's name for it, in messages. */
const API_FIELD: Record<string, string> = { teamId: "team", gpuTypeId: "gpuType" };

const ENTITY_FIELDS = [
  "name",
  "model",
  "parameterCount",
  "method",
  "precision",
  "gradientCheckpointing",
  "flashAttention",
  "zeroStage",
  "gradientAccumulationSteps",
  "provider",
  "pricingModel",
  "gpuCount",
  "startedAt",
  "endedAt",
  "status",
  "tokensProcessed",
  "throughputTokensPerSec",
  "avgGpuUtilizationPct",
  "pricePerGpuHourOverride",
  "storageCostUsd",
  "dataCostUsd",
  "networkCostUsd",
  "notes",
] as const;

interface StoredRunFields {
  id: number;
  values: Record<string, unknown>;
}

async function storedRun(run: SqlRunner, teamId: number, externalId: string): Promise<StoredRunFields | null> {
  const [row] = await run.query<Record<string, unknown> & { id: number }>(Prisma.sql`
    select id, name, model, "parameterCount", method::text as method, precision::text as precision, "gradientCheckpointing", "flashAttention",
      "zeroStage", "gradientAccumulationSteps", "gpuTypeId", provider, "pricingModel"::text as "pricingModel", "gpuCount", "startedAt", "endedAt",
      status::text as status, "tokensProcessed", "throughputTokensPerSec"::text as "throughputTokensPerSec",
      "avgGpuUtilizationPct"::text as "avgGpuUtilizationPct", "pricePerGpuHourOverride"::text as "pricePerGpuHourOverride",
      "storageCostUsd"::text as "storageCostUsd", "dataCostUsd"::text as "dataCostUsd", "networkCostUsd"::text as "networkCostUsd", notes
    from training_runs where "teamId" = ${teamId} and "externalId" = ${externalId}
    for update`);
  if (!row) return null;
  const { id, ...values } = row;
  return { id, values };
}

async function resolveTeam(viewer: Viewer, input: RunInput): Promise<{ ok: true; id: number; slug: string } | { ok: false; issue: ApiIssue } | Denied> {
  const credential = viewer.credential;
  if (credential) {
    const team = await db().team.findFirst({ where: { id: credential.teamId, ...orgWhere(viewer) }, select: { id: true, slug: true } });
    if (!team) return { ok: false, issue: { path: "team", message: "This API key's team no longer exists" } };
    if (input.team !== undefined && input.team !== team.slug) {
      return { ok: false, issue: { path: "team", message: `This API key writes only to team "${team.slug}"; leave team out or use a key of team "${input.team}"` } };
    }
    return { ok: true, id: team.id, slug: team.slug };
  }
  if (input.team === undefined) return { ok: false, issue: { path: "team", message: "Name the team (its slug), e.g. \"team\": \"research\"" } };
  const team = /^[a-z0-9][a-z0-9-]{0,62}$/.test(input.team) ? await teamBySlug({ viewer, slug: input.team }) : null;
  if (!team) return { ok: false, issue: { path: "team", message: `No team "${input.team}" that you may see` } };
  return { ok: true, id: team.id, slug: team.slug };
}

export async function upsertRun({
  viewer,
  externalId,
  input,
  idempotency,
  now = new Date(),
}: {
  viewer: Viewer;
  externalId: string;
  input: RunInput;
  idempotency: IdempotentRequest | null;
  now?: Date;
}): Promise<Response | Denied> {
  const team = await resolveTeam(viewer, input);
  if ("kind" in team) return team;
  if (!team.ok) return v1Invalid([team.issue]);
  const denied = authorizeTeam(viewer, "team:write", team.id, "team");
  if (denied) return denied;
  let gpuTypeId: number | undefined;
  if (input.gpuType !== undefined) {
    const gpu = await db().gpuType.findFirst({ where: { name: input.gpuType, ...orgWhere(viewer) }, select: { id: true } });
    if (!gpu) return v1Invalid([{ path: "gpuType", message: `No GPU type "${input.gpuType}" in the price catalog; use a name as it appears on Settings → GPU types` }]);
    gpuTypeId = gpu.id;
  }
  return apiWriteTransaction({ orgId: viewer.orgId, idempotency }, async (run) => {
    await run.execute(Prisma.sql`select pg_advisory_xact_lock(${RUN_UPSERT_LOCK}::int, ${team.id}::int)`);
    const stored = await storedRun(run, team.id, externalId);
    const merged: Record<string, unknown> = { ...(stored?.values ?? {}), teamId: team.id };
    for (const field of ENTITY_FIELDS) if (input[field] !== undefined) merged[field] = input[field];
    if (gpuTypeId !== undefined) merged.gpuTypeId = gpuTypeId;
    const parsed = trainingRunSchema({ now }).safeParse(merged);
    if (!parsed.success) {
      rollBackWith(v1Invalid(zodIssues(parsed.error).map((issue) => ({ ...issue, path: API_FIELD[issue.path] ?? issue.path }))));
    }
    const values = parsed.data;
    // The natural key (team, name, start) is unique too: a hand-entered or imported run may hold it.
    const [clash] = await run.query<{ id: number; externalId: string | null }>(Prisma.sql`
      select id, "externalId" from training_runs where "teamId" = ${team.id} and name = ${values.name} and "startedAt" = ${values.startedAt}
        and id <> ${stored?.id ?? 0}`);
    if (clash) {
      rollBackWith(
        v1Invalid([
          {
            path: "name",
            message: `Run ${clash.id} of this team has the same name and start${clash.externalId ? ` (external id "${clash.externalId}")` : ""}; give this run another name or start`,
          },
        ]),
      );
    }
    const planned = await planBatch(run, { kind: "trainingRuns", rows: [{ row: 1, values: { ...values, externalId } }] }, true);
    const action = planned.plan.inserts.length > 0 ? "created" : planned.plan.updates.length > 0 ? "updated" : "unchanged";
    await writePlannedBatch(run, planned, { viewer, source: "api" }, noPendingRollups());
    const [saved] = await run.query<{ id: number }>(Prisma.sql`select id from training_runs where "teamId" = ${team.id} and "externalId" = ${externalId}`);
    const result = {
      id: saved!.id,
      externalId,
      team: team.slug,
      name: values.name,
      status: values.status,
      startedAt: values.startedAt.toISOString(),
      endedAt: values.endedAt?.toISOString() ?? null,
      action,
      url: `/training/${saved!.id}`,
    };
    return { status: action === "created" ? 201 : 200, body: JSON.stringify(result) };
  });
}
