-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'MEMBER', 'VIEWER');

-- CreateEnum
CREATE TYPE "PricingModel" AS ENUM ('ON_DEMAND', 'SPOT', 'RESERVED', 'ON_PREM');

-- CreateEnum
CREATE TYPE "TrainingMethod" AS ENUM ('PRETRAIN', 'FULL_FINE_TUNE', 'LORA', 'QLORA', 'OTHER');

-- CreateEnum
CREATE TYPE "Precision" AS ENUM ('FP32', 'FP16', 'BF16', 'FP8');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ServingEngine" AS ENUM ('VLLM', 'TGI', 'TENSORRT_LLM', 'SGLANG', 'LLAMA_CPP', 'OTHER');

-- CreateEnum
CREATE TYPE "Quantization" AS ENUM ('NONE', 'FP16_BF16', 'FP8', 'INT8', 'INT4');

-- CreateEnum
CREATE TYPE "Batching" AS ENUM ('NONE', 'STATIC', 'DYNAMIC', 'CONTINUOUS');

-- CreateTable
CREATE TABLE "orgs" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orgs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'MEMBER',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "teams" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "monthlyBudgetUsd" DECIMAL(18,6) NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_types" (
    "id" SERIAL NOT NULL,
    "orgId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "memoryGb" INTEGER NOT NULL,
    "peakBf16Tflops" DECIMAL(10,2) NOT NULL,
    "memoryBandwidthGbps" DECIMAL(10,2) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gpu_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gpu_prices" (
    "id" SERIAL NOT NULL,
    "gpuTypeId" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "pricingModel" "PricingModel" NOT NULL,
    "pricePerGpuHour" DECIMAL(18,6) NOT NULL,
    "effectiveFrom" TIMESTAMPTZ(3) NOT NULL,
    "effectiveTo" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gpu_prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_runs" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "parameterCount" BIGINT,
    "method" "TrainingMethod" NOT NULL,
    "precision" "Precision" NOT NULL,
    "gradientCheckpointing" BOOLEAN NOT NULL DEFAULT false,
    "flashAttention" BOOLEAN NOT NULL DEFAULT false,
    "zeroStage" INTEGER,
    "gradientAccumulationSteps" INTEGER NOT NULL DEFAULT 1,
    "gpuTypeId" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "pricingModel" "PricingModel" NOT NULL,
    "gpuCount" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "endedAt" TIMESTAMPTZ(3),
    "status" "RunStatus" NOT NULL,
    "tokensProcessed" BIGINT,
    "throughputTokensPerSec" DECIMAL(18,3),
    "avgGpuUtilizationPct" DECIMAL(5,2),
    "pricePerGpuHourOverride" DECIMAL(18,6),
    "storageCostUsd" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "dataCostUsd" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "networkCostUsd" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "notes" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "training_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inference_deployments" (
    "id" SERIAL NOT NULL,
    "teamId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "parameterCount" BIGINT,
    "servingEngine" "ServingEngine" NOT NULL,
    "quantization" "Quantization" NOT NULL,
    "batching" "Batching" NOT NULL,
    "maxBatchSize" INTEGER,
    "gpuTypeId" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "pricingModel" "PricingModel" NOT NULL,
    "gpuCount" INTEGER NOT NULL,
    "pricePerGpuHourOverride" DECIMAL(18,6),
    "p99SloMs" INTEGER,
    "activeFrom" TIMESTAMPTZ(3) NOT NULL,
    "activeTo" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inference_deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inference_usage_windows" (
    "deploymentId" INTEGER NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "windowSeconds" INTEGER NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL,
    "cachedInputTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL,
    "latencyKeys" SMALLINT[],
    "latencyCounts" INTEGER[],
    "latencyP50Ms" DECIMAL(12,3),
    "latencyP95Ms" DECIMAL(12,3),
    "latencyP99Ms" DECIMAL(12,3),
    "avgGpuUtilizationPct" DECIMAL(5,2),

    CONSTRAINT "inference_usage_windows_pkey" PRIMARY KEY ("deploymentId","windowStart")
);

-- CreateIndex
CREATE UNIQUE INDEX "orgs_slug_key" ON "orgs"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_orgId_idx" ON "users"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "teams_orgId_slug_key" ON "teams"("orgId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "gpu_types_orgId_name_key" ON "gpu_types"("orgId", "name");

-- CreateIndex
CREATE INDEX "gpu_prices_gpuTypeId_provider_pricingModel_effectiveFrom_idx" ON "gpu_prices"("gpuTypeId", "provider", "pricingModel", "effectiveFrom");

-- CreateIndex
CREATE INDEX "training_runs_teamId_startedAt_idx" ON "training_runs"("teamId", "startedAt");

-- CreateIndex
CREATE INDEX "training_runs_startedAt_endedAt_idx" ON "training_runs"("startedAt", "endedAt");

-- CreateIndex
CREATE INDEX "training_runs_gpuTypeId_idx" ON "training_runs"("gpuTypeId");

-- CreateIndex
CREATE INDEX "inference_deployments_teamId_activeFrom_idx" ON "inference_deployments"("teamId", "activeFrom");

-- CreateIndex
CREATE INDEX "inference_deployments_gpuTypeId_idx" ON "inference_deployments"("gpuTypeId");

-- CreateIndex
CREATE INDEX "inference_usage_windows_windowStart_idx" ON "inference_usage_windows"("windowStart");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teams" ADD CONSTRAINT "teams_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_types" ADD CONSTRAINT "gpu_types_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gpu_prices" ADD CONSTRAINT "gpu_prices_gpuTypeId_fkey" FOREIGN KEY ("gpuTypeId") REFERENCES "gpu_types"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_runs" ADD CONSTRAINT "training_runs_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_runs" ADD CONSTRAINT "training_runs_gpuTypeId_fkey" FOREIGN KEY ("gpuTypeId") REFERENCES "gpu_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inference_deployments" ADD CONSTRAINT "inference_deployments_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inference_deployments" ADD CONSTRAINT "inference_deployments_gpuTypeId_fkey" FOREIGN KEY ("gpuTypeId") REFERENCES "gpu_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inference_usage_windows" ADD CONSTRAINT "inference_usage_windows_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "inference_deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
