-- CreateTable
CREATE TABLE "month_closures" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "closedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedById" INTEGER,
    "closedByName" TEXT NOT NULL,
    "chargeCents" BIGINT NOT NULL,
    "correctionCents" BIGINT NOT NULL,
    "reopenedAt" TIMESTAMPTZ(3),
    "reopenedById" INTEGER,
    "reopenedByName" TEXT,

    CONSTRAINT "month_closures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "month_close_lines" (
    "id" BIGSERIAL NOT NULL,
    "closureId" INTEGER NOT NULL,
    "granularity" TEXT NOT NULL,
    "lineType" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "itemId" INTEGER NOT NULL,
    "itemName" TEXT NOT NULL,
    "teamId" INTEGER NOT NULL,
    "teamSlug" TEXT NOT NULL,
    "teamName" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "gpuTypeId" INTEGER NOT NULL,
    "gpuTypeName" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "pricingModel" "PricingModel" NOT NULL,
    "gpuCount" INTEGER NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,
    "chargeStart" TIMESTAMPTZ(3) NOT NULL,
    "chargeEnd" TIMESTAMPTZ(3) NOT NULL,
    "computeMicros" BIGINT NOT NULL,
    "computeCents" BIGINT NOT NULL,
    "extraMicros" BIGINT NOT NULL,
    "extraCents" BIGINT NOT NULL,
    "gpuMs" BIGINT NOT NULL,
    "unpricedGpuMs" BIGINT NOT NULL,
    "activeMs" BIGINT NOT NULL,
    "recordedMs" BIGINT,
    "requests" BIGINT,
    "inputTokens" BIGINT,
    "cachedInputTokens" BIGINT,
    "outputTokens" BIGINT,
    "trainingTokens" BIGINT,
    "p99LatencyMs" DECIMAL(12,3),
    "prices" JSONB NOT NULL,
    "correctsMonth" TEXT,
    "cause" TEXT,
    "auditEntryIds" TEXT[],

    CONSTRAINT "month_close_lines_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "month_closures_orgId_month_idx" ON "month_closures"("orgId", "month");

-- CreateIndex
CREATE INDEX "month_close_lines_closureId_granularity_lineType_idx" ON "month_close_lines"("closureId", "granularity", "lineType");

-- AddForeignKey
ALTER TABLE "month_close_lines" ADD CONSTRAINT "month_close_lines_closureId_fkey" FOREIGN KEY ("closureId") REFERENCES "month_closures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one standing (not reopened) closure per org and month: if two admins
-- closing at once: the second insert fails here and is told it is closed.
CREATE UNIQUE INDEX "month_closures_standing_key" ON "month_closures"("orgId", "month") WHERE "reopenedAt" IS NULL;

ALTER TABLE "month_closures" ADD CONSTRAINT "month_closures_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
