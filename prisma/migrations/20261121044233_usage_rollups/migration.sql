-- CreateTable
CREATE TABLE "usage_rollup_quarter" (
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

    CONSTRAINT "usage_rollup_quarter_pkey" PRIMARY KEY ("deploymentId","bucketStart")
);

-- CreateTable
CREATE TABLE "usage_rollup_team_hour" (
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

    CONSTRAINT "usage_rollup_team_hour_pkey" PRIMARY KEY ("teamId","bucketStart")
);

-- CreateTable
CREATE TABLE "usage_rollup_day" (
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

    CONSTRAINT "usage_rollup_day_pkey" PRIMARY KEY ("timeZone","deploymentId","bucketStart")
);

-- CreateTable
CREATE TABLE "rollup_time_zones" (
    "timeZone" TEXT NOT NULL,
    "builtAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollup_time_zones_pkey" PRIMARY KEY ("timeZone")
);

-- CreateIndex
CREATE INDEX "usage_rollup_quarter_bucketStart_idx" ON "usage_rollup_quarter"("bucketStart");

-- CreateIndex
CREATE INDEX "usage_rollup_day_timeZone_bucketStart_idx" ON "usage_rollup_day"("timeZone", "bucketStart");

-- AddForeignKey
ALTER TABLE "usage_rollup_quarter" ADD CONSTRAINT "usage_rollup_quarter_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "inference_deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_rollup_team_hour" ADD CONSTRAINT "usage_rollup_team_hour_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_rollup_day" ADD CONSTRAINT "usage_rollup_day_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "inference_deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
