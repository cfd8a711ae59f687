import type { Prisma, TrainingMethod } from "../generated/client";

type Decimal = Prisma.Decimal;
import type { PricePeriod } from "@/lib/domain/gpu-time-cost";
import type { InferenceDeploymentCostInput } from "@/lib/domain/inference-cost";
import type { TrainingRunCostInput } from "@/lib/domain/training-cost";

/**
 * Database rows → the engine's inputs. Prisma returns numeric columns as
 * Decimal; the engine takes exact decimal strings (money.ts parses them into
 * micro-dollars).
 */

interface PriceRow {
  pricePerGpuHour: Decimal;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export function toPricePeriods(rows: readonly PriceRow[]): PricePeriod[] {
  return rows.map((p) => ({ pricePerGpuHour: p.pricePerGpuHour.toFixed(6), effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo }));
}

export function toTrainingRunInput(
  run: {
    startedAt: Date;
    endedAt: Date | null;
    gpuCount: number;
    pricePerGpuHourOverride: Decimal | null;
    storageCostUsd: Decimal;
    dataCostUsd: Decimal;
    networkCostUsd: Decimal;
    tokensProcessed: bigint | null;
    parameterCount: bigint | null;
    /** Sets the FLOPs per token of the run's MFU (6·N, or 4·N for LoRA/QLoRA). */
    method: TrainingMethod;
    gpuType: { peakBf16Tflops: Decimal };
  },
  catalogPrices: readonly PricePeriod[],
): TrainingRunCostInput {
  return {
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    gpuCount: run.gpuCount,
    pricePerGpuHourOverride: run.pricePerGpuHourOverride?.toFixed(6) ?? null,
    catalogPrices,
    storageCostUsd: run.storageCostUsd.toFixed(6),
    dataCostUsd: run.dataCostUsd.toFixed(6),
    networkCostUsd: run.networkCostUsd.toFixed(6),
    tokensProcessed: run.tokensProcessed,
    parameterCount: run.parameterCount,
    method: run.method,
    peakBf16Tflops: run.gpuType.peakBf16Tflops.toFixed(2),
  };
}

export function toDeploymentInput(
  deployment: { activeFrom: Date; activeTo: Date | null; gpuCount: number; pricePerGpuHourOverride: Decimal | null },
  catalogPrices: readonly PricePeriod[],
): InferenceDeploymentCostInput {
  return {
    activeFrom: deployment.activeFrom,
    activeTo: deployment.activeTo,
    gpuCount: deployment.gpuCount,
    pricePerGpuHourOverride: deployment.pricePerGpuHourOverride?.toFixed(6) ?? null,
    catalogPrices,
  };
}
