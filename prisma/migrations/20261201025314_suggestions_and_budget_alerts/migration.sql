-- CreateEnum
CREATE TYPE "SuggestionStatus" AS ENUM ('DISMISSED', 'SNOOZED', 'APPLIED');

-- AlterTable
ALTER TABLE "orgs" ADD COLUMN     "alertWebhookUrl" TEXT;

-- CreateTable
CREATE TABLE "suggestion_states" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "suggestionKey" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "itemKind" TEXT NOT NULL,
    "itemId" INTEGER NOT NULL,
    "status" "SuggestionStatus" NOT NULL,
    "snoozedUntil" TIMESTAMPTZ(3),
    "appliedAt" TIMESTAMPTZ(3),
    "snapshot" JSONB NOT NULL,
    "userId" INTEGER,
    "actorName" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "suggestion_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budget_alerts" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "thresholdPct" INTEGER NOT NULL,
    "basis" TEXT NOT NULL,
    "spendCents" BIGINT NOT NULL,
    "budgetCents" BIGINT NOT NULL,
    "firedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "webhookUrl" TEXT,
    "deliveredAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "budget_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "suggestion_states_orgId_teamId_idx" ON "suggestion_states"("orgId", "teamId");

-- CreateIndex
CREATE UNIQUE INDEX "suggestion_states_orgId_suggestionKey_key" ON "suggestion_states"("orgId", "suggestionKey");

-- CreateIndex
CREATE INDEX "budget_alerts_orgId_month_idx" ON "budget_alerts"("orgId", "month");

-- CreateIndex
CREATE UNIQUE INDEX "budget_alerts_orgId_teamId_month_thresholdPct_basis_key" ON "budget_alerts"("orgId", "teamId", "month", "thresholdPct", "basis");

-- AddForeignKey
ALTER TABLE "suggestion_states" ADD CONSTRAINT "suggestion_states_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
