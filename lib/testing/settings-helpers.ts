import type pg from "pg";
import { refreshUsageRollups } from "@/lib/db/mutations/usage-rollups";
import { pgRunner } from "@/lib/db/sql";
import { tableCounts } from "./org-fixture";

/** Helpers for the integration tests of the Settings records (teams, GPU types, prices). */

export function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

export const key = () => crypto.randomUUID();

/**
 * Everything a Settings write can touch: row counts of every record table
 * and the full rows of teams, GPU types and prices, to prove a rejected or
 * failed write changed nothing at all (not even a column of an existing row).
 */
export async function settingsSnapshot(client: pg.Client) {
  const rows = async (table: string) => (await client.query(`select to_jsonb(t) as row from ${table} t order by id`)).rows.map((r) => r.row);
  const { rows: zones } = await client.query(`select "timeZone" from rollup_time_zones order by 1`);
  return {
    counts: await tableCounts(),
    teams: await rows("teams"),
    gpuTypes: await rows("gpu_types"),
    gpuPrices: await rows("gpu_prices"),
    zones: zones.map((z) => z.timeZone),
  };
}

/** A finished training run of `teamId` on `gpuTypeId` (aws on-demand, 8 GPUs). */
export async function insertRun(client: pg.Client, { teamId, gpuTypeId, name = "run", startedAt = "2026-03-01T00:00:00Z", endedAt = "2026-03-02T00:00:00Z" }: { teamId: number; gpuTypeId: number; name?: string; startedAt?: string; endedAt?: string | null }): Promise<number> {
  const { rows } = await client.query(
    `insert into training_runs ("teamId", name, model, method, precision, "gpuTypeId", provider, "pricingModel", "gpuCount", "startedAt", "endedAt", status, "updatedAt")
     values ($1, $2, 'Llama-3.1-8B', 'LORA', 'BF16', $3, 'aws', 'ON_DEMAND', 8, $4, $5, 'SUCCEEDED', now()) returning id`,
    [teamId, name, gpuTypeId, startedAt, endedAt],
  );
  return rows[0].id;
}

/** A deployment with one hour of usage (and its rollups), so rollups for a new zone have something to build. */
export async function insertDeploymentWithUsage(client: pg.Client, { teamId, gpuTypeId, activeFrom = "2026-03-01T00:00:00Z", activeTo = null }: { teamId: number; gpuTypeId: number; activeFrom?: string; activeTo?: string | null }): Promise<number> {
  const { rows } = await client.query(
    `insert into inference_deployments ("teamId", name, model, "servingEngine", quantization, batching, "gpuTypeId", provider, "pricingModel", "gpuCount", "activeFrom", "activeTo", "updatedAt")
     values ($1, 'chat-prod', 'Llama-3.1-70B', 'VLLM', 'NONE', 'CONTINUOUS', $2, 'aws', 'ON_DEMAND', 2, $3, $4, now()) returning id`,
    [teamId, gpuTypeId, activeFrom, activeTo],
  );
  const deploymentId: number = rows[0].id;
  const start = new Date(activeFrom);
  await client.query(
    `insert into inference_usage_windows ("deploymentId", "windowStart", "windowSeconds", requests, "inputTokens", "outputTokens", "latencyKeys", "latencyCounts")
     values ($1, $2, 3600, 100, 5000, 2000, '{}', '{}')`,
    [deploymentId, start],
  );
  await refreshUsageRollups(pgRunner(client), [{ deploymentId, start, end: new Date(start.getTime() + 3_600_000) }]);
  return deploymentId;
}

/** Audit entries of one record, oldest first. */
export async function auditOf(client: pg.Client, entityType: string, entityId: string | number) {
  const { rows } = await client.query(
    `select action, before, after, "changedFields", "actorName", source from audit_entries where "entityType" = $1 and "entityId" = $2 order by id`,
    [entityType, String(entityId)],
  );
  return rows;
}
