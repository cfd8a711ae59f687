-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('RUNS_WRITE', 'USAGE_WRITE', 'REPORTS_READ');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "AuditAction" ADD VALUE 'USE';
ALTER TYPE "AuditAction" ADD VALUE 'REVOKE';

-- AlterTable
ALTER TABLE "audit_entries" ADD COLUMN     "apiKeyId" INTEGER,
ADD COLUMN     "clientIp" TEXT;

-- AlterTable
ALTER TABLE "training_runs" ADD COLUMN     "externalId" TEXT;

-- CreateTable
CREATE TABLE "api_keys" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "teamId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "createdById" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "lastUsedIp" TEXT,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedById" INTEGER,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_idempotency" (
    "orgId" INTEGER NOT NULL,
    "principal" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_idempotency_pkey" PRIMARY KEY ("orgId","principal","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_orgId_teamId_idx" ON "api_keys"("orgId", "teamId");

-- CreateIndex
CREATE INDEX "api_idempotency_createdAt_idx" ON "api_idempotency"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "training_runs_teamId_externalId_key" ON "training_runs"("teamId", "externalId");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
