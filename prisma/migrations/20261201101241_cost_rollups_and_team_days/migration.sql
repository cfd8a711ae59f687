-- AlterTable
ALTER TABLE "inference_deployments" ADD COLUMN     "costRolledTo" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "training_runs" ADD COLUMN     "costRolledTo" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "usage_rollup_team_day" (
    "timeZone" TEXT NOT NULL,
    "teamId" INTEGER NOT NULL,
    "bucketStart" TIMESTAMPTZ(3) NOT NULL,
    "windowCount" INTEGER NOT NULL,
    "windowMs" BIGINT NOT NULL,
    "idleMs" BIGINT NOT NULL,
    "utilMs" BIGINT NOT NULL,
    "utilPctMs" DECIMAL(30,2) NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "inputTokens" BIGINT NOT NULL,
    "cachedInputTokens" BIGINT NOT NULL,
    "outputTokens" BIGINT NOT NULL,
    "approxRequests" BIGINT NOT NULL,
    "latencyKeys" SMALLINT[],
    "latencyCounts" BIGINT[],

    CONSTRAINT "usage_rollup_team_day_pkey" PRIMARY KEY ("timeZone","teamId","bucketStart")
);

-- CreateTable
CREATE TABLE "cost_rollup_day" (
    "timeZone" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "itemId" INTEGER NOT NULL,
    "bucketStart" TIMESTAMPTZ(3) NOT NULL,
    "teamId" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "gpuTypeId" INTEGER NOT NULL,
    "computeMicros" BIGINT NOT NULL,
    "extraMicros" BIGINT NOT NULL,
    "computeCents" BIGINT NOT NULL,
    "extraCents" BIGINT NOT NULL,
    "gpuMs" BIGINT NOT NULL,
    "unpricedGpuMs" BIGINT NOT NULL,
    "activeMs" BIGINT NOT NULL,

    CONSTRAINT "cost_rollup_day_pkey" PRIMARY KEY ("timeZone","kind","itemId","bucketStart")
);

-- CreateIndex
CREATE INDEX "usage_rollup_team_day_timeZone_bucketStart_idx" ON "usage_rollup_team_day"("timeZone", "bucketStart");

-- CreateIndex
CREATE INDEX "cost_rollup_day_timeZone_bucketStart_idx" ON "cost_rollup_day"("timeZone", "bucketStart");

-- CreateIndex
CREATE INDEX "training_runs_costRolledTo_idx" ON "training_runs"("costRolledTo");

-- AddForeignKey
ALTER TABLE "usage_rollup_team_day" ADD CONSTRAINT "usage_rollup_team_day_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Team-day usage rows from the existing per-deployment day rows: the same sums
-- and the same merged sketch (keys ascending) that lib/db/mutations/usage-rollups.ts
-- writes from the 15-minute rows.
INSERT INTO "usage_rollup_team_day" ("timeZone", "teamId", "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
  "requests", "errors", "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
WITH src AS (
  SELECT r.*, d."teamId" AS team_id FROM "usage_rollup_day" r JOIN "inference_deployments" d ON d.id = r."deploymentId"
),
sums AS (
  SELECT "timeZone", team_id, "bucketStart", sum("windowCount")::int AS wc, sum("windowMs") AS wms, sum("idleMs") AS ims, sum("utilMs") AS ums,
    sum("utilPctMs") AS upm, sum("requests") AS r, sum("errors") AS e, sum("inputTokens") AS it, sum("cachedInputTokens") AS ct,
    sum("outputTokens") AS ot, sum("approxRequests") AS ar
  FROM src GROUP BY "timeZone", team_id, "bucketStart"
),
pairs AS (
  SELECT "timeZone", team_id, "bucketStart", u.k, sum(u.c) AS c
  FROM src, unnest(src."latencyKeys", src."latencyCounts") AS u(k, c)
  WHERE u.k IS NOT NULL
  GROUP BY "timeZone", team_id, "bucketStart", u.k
),
sketches AS (
  SELECT "timeZone", team_id, "bucketStart", array_agg(k ORDER BY k) AS keys, array_agg(c ORDER BY k)::bigint[] AS counts
  FROM pairs GROUP BY "timeZone", team_id, "bucketStart"
)
SELECT s."timeZone", s.team_id, s."bucketStart", s.wc, s.wms, s.ims, s.ums, s.upm, s.r, s.e, s.it, s.ct, s.ot, s.ar,
  coalesce(k.keys, '{}'::smallint[]), coalesce(k.counts, '{}'::bigint[])
FROM sums s LEFT JOIN sketches k USING ("timeZone", team_id, "bucketStart");

-- Cost rollup invalidation. Any change to what an item's cost depends on
-- deletes its cost_rollup_day rows and clears its watermark in the same
-- statement, so the ledger computes it live until the write (or the
-- background roller) rolls it up again: a missed re-roll is slower, never
-- wrong. Updates of costRolledTo alone (the roller's) do not fire these.
CREATE FUNCTION burnrate_cost_rollup_forget_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "cost_rollup_day" WHERE "kind" = 'training' AND "itemId" = OLD.id;
  IF TG_OP = 'UPDATE' THEN
    NEW."costRolledTo" := NULL;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER "training_runs_cost_rollup_update" BEFORE UPDATE OF "teamId", "model", "gpuTypeId", "provider", "pricingModel", "gpuCount",
  "pricePerGpuHourOverride", "startedAt", "endedAt", "storageCostUsd", "dataCostUsd", "networkCostUsd" ON "training_runs"
  FOR EACH ROW WHEN (OLD."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_forget_run();
CREATE TRIGGER "training_runs_cost_rollup_delete" BEFORE DELETE ON "training_runs"
  FOR EACH ROW WHEN (OLD."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_forget_run();

CREATE FUNCTION burnrate_cost_rollup_forget_deployment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "cost_rollup_day" WHERE "kind" = 'inference' AND "itemId" = OLD.id;
  IF TG_OP = 'UPDATE' THEN
    NEW."costRolledTo" := NULL;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER "inference_deployments_cost_rollup_update" BEFORE UPDATE OF "teamId", "model", "gpuTypeId", "provider", "pricingModel", "gpuCount",
  "pricePerGpuHourOverride", "activeFrom", "activeTo" ON "inference_deployments"
  FOR EACH ROW WHEN (OLD."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_forget_deployment();
CREATE TRIGGER "inference_deployments_cost_rollup_delete" BEFORE DELETE ON "inference_deployments"
  FOR EACH ROW WHEN (OLD."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_forget_deployment();

-- A catalog price change touches every item priced from that (GPU type,
-- provider, pricing model) without an override.
CREATE FUNCTION burnrate_cost_rollup_forget_price() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p RECORD;
BEGIN
  FOR p IN SELECT * FROM (SELECT OLD."gpuTypeId" AS g, OLD."provider" AS pr, OLD."pricingModel" AS pm WHERE TG_OP <> 'INSERT'
                          UNION SELECT NEW."gpuTypeId", NEW."provider", NEW."pricingModel" WHERE TG_OP <> 'DELETE') x LOOP
    WITH runs AS (
      UPDATE "training_runs" SET "costRolledTo" = NULL
      WHERE "gpuTypeId" = p.g AND "provider" = p.pr AND "pricingModel" = p.pm AND "pricePerGpuHourOverride" IS NULL AND "costRolledTo" IS NOT NULL
      RETURNING id
    )
    DELETE FROM "cost_rollup_day" c USING runs WHERE c."kind" = 'training' AND c."itemId" = runs.id;
    WITH deps AS (
      UPDATE "inference_deployments" SET "costRolledTo" = NULL
      WHERE "gpuTypeId" = p.g AND "provider" = p.pr AND "pricingModel" = p.pm AND "pricePerGpuHourOverride" IS NULL AND "costRolledTo" IS NOT NULL
      RETURNING id
    )
    DELETE FROM "cost_rollup_day" c USING deps WHERE c."kind" = 'inference' AND c."itemId" = deps.id;
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER "gpu_prices_cost_rollup" AFTER INSERT OR UPDATE OR DELETE ON "gpu_prices"
  FOR EACH ROW EXECUTE FUNCTION burnrate_cost_rollup_forget_price();
