-- AlterTable
ALTER TABLE "rollup_time_zones" ADD COLUMN     "monthsSealedTo" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "usage_rollup_month" (
    "timeZone" TEXT NOT NULL,
    "deploymentId" INTEGER NOT NULL,
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

    CONSTRAINT "usage_rollup_month_pkey" PRIMARY KEY ("timeZone","deploymentId","bucketStart")
);

-- CreateIndex
CREATE INDEX "usage_rollup_month_timeZone_bucketStart_idx" ON "usage_rollup_month"("timeZone", "bucketStart");

-- AddForeignKey
ALTER TABLE "usage_rollup_month" ADD CONSTRAINT "usage_rollup_month_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "inference_deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Updated in place by writes to sealed months (appended sketches, as the day rows).
ALTER TABLE usage_rollup_month SET (fillfactor = 60, toast_tuple_target = 8160);

-- Seal every local month that ended a day ago or more (sealUsageMonths does
-- the same from then on, in the background roller).
UPDATE rollup_time_zones
SET "monthsSealedTo" = date_trunc('month', (now() - interval '1 day') AT TIME ZONE "timeZone") AT TIME ZONE "timeZone";

-- Their rows: each the sum of its deployment's day rows of that local month in
-- that zone (a day row starts at a local midnight, so it lies in one month);
-- sketches merged key by key. The same statement as sealUsageMonths.
INSERT INTO usage_rollup_month ("timeZone", "deploymentId", "bucketStart", "windowCount", "windowMs", "idleMs", "utilMs", "utilPctMs",
  requests, errors, "inputTokens", "cachedInputTokens", "outputTokens", "approxRequests", "latencyKeys", "latencyCounts")
WITH days AS (
  SELECT d.*, (date_trunc('month', d."bucketStart" AT TIME ZONE d."timeZone") AT TIME ZONE d."timeZone") AS month
  FROM usage_rollup_day d JOIN rollup_time_zones z ON z."timeZone" = d."timeZone"
  WHERE d."bucketStart" < z."monthsSealedTo"
), sums AS (
  SELECT "timeZone", "deploymentId", month, sum("windowCount")::int AS "windowCount", sum("windowMs") AS "windowMs", sum("idleMs") AS "idleMs",
    sum("utilMs") AS "utilMs", sum("utilPctMs") AS "utilPctMs", sum(requests) AS requests, sum(errors) AS errors, sum("inputTokens") AS "inputTokens",
    sum("cachedInputTokens") AS "cachedInputTokens", sum("outputTokens") AS "outputTokens", sum("approxRequests") AS "approxRequests"
  FROM days GROUP BY "timeZone", "deploymentId", month
), pairs AS (
  SELECT "timeZone", "deploymentId", month, u.k, sum(u.c)::bigint AS c
  FROM days, unnest(days."latencyKeys", days."latencyCounts") AS u(k, c)
  GROUP BY "timeZone", "deploymentId", month, u.k
  HAVING sum(u.c) <> 0
), sketches AS (
  SELECT "timeZone", "deploymentId", month, array_agg(k ORDER BY k) AS keys, array_agg(c ORDER BY k) AS counts
  FROM pairs GROUP BY "timeZone", "deploymentId", month
)
SELECT s."timeZone", s."deploymentId", s.month, s."windowCount", s."windowMs", s."idleMs", s."utilMs", s."utilPctMs", s.requests, s.errors,
  s."inputTokens", s."cachedInputTokens", s."outputTokens", s."approxRequests", coalesce(k.keys, '{}'), coalesce(k.counts, '{}')
FROM sums s LEFT JOIN sketches k USING ("timeZone", "deploymentId", month);
