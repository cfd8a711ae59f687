import { orgWhere } from "@/lib/access/policy";
import type { Viewer } from "@/lib/access/viewer";
import { PRICING_MODEL_LABELS } from "@/lib/domain/labels";
import { formatInstant } from "@/lib/validation/entities/fields";
import { findOverlappingPeriod, overlapFieldErrors, type GpuPriceValues, type PricePeriod } from "@/lib/validation/entities/gpu-price";
import { Prisma, type SqlRunner } from "../sql";
import { auditSnapshot, writeAuditEntries } from "./audit";
import {
  RollbackWith,
  claimIdempotencyKey,
  databaseErrorCode,
  invalid,
  notFound,
  settleIdempotencyKey,
  staleVersion,
  trashRecord,
  orgWriteTransaction,
  type MutationResult,
  type Tx,
} from "./records";

/**
 * Catalog prices written by a person. Periods of one GPU type, provider and
 * pricing model never overlap: checked here first (so the answer is a field
 * error naming the other price) and by the exclusion constraint
 * gpu_prices_no_overlap (23P01) for writes that race, which is mapped to the
 * same field error. Adding a price can end the open-ended current one in the
 * same transaction.
 */

type PriceKey = Pick<PricePeriod, "gpuTypeId" | "provider" | "pricingModel">;
type StoredPeriod = PricePeriod & { id: number; version: number };

async function assertOwnGpuType(tx: Tx, viewer: Viewer, gpuTypeId: number): Promise<{ name: string }> {
  const gpuType = await tx.gpuType.findFirst({ where: { id: gpuTypeId, ...orgWhere(viewer) }, select: { name: true } });
  if (!gpuType) throw new RollbackWith(invalid({ gpuTypeId: ["GPU type not found; it may have been deleted. Choose another"] }));
  return gpuType;
}

/** The key's periods, locked so ending one and checking against the rest see the same rows. */
async function lockPeriods(run: SqlRunner, key: PriceKey): Promise<StoredPeriod[]> {
  return run.query<StoredPeriod>(Prisma.sql`
    select id, version, "gpuTypeId", provider, "pricingModel"::text as "pricingModel", "effectiveFrom", "effectiveTo"
    from gpu_prices
    where "gpuTypeId" = ${key.gpuTypeId} and provider = ${key.provider} and "pricingModel" = ${key.pricingModel}::"PricingModel"
    order by "effectiveFrom"
    for update`);
}

function assertNoOverlap(candidate: PricePeriod, periods: readonly StoredPeriod[], timeZone: string | undefined): void {
  const overlap = findOverlappingPeriod(candidate, periods);
  if (overlap) throw new RollbackWith(invalid(overlapFieldErrors(candidate, overlap, timeZone)));
}

/**
 * Runs a write that the exclusion constraint may refuse (a concurrent write
 * took the period after our check). The savepoint keeps the transaction
 * usable, so the price that now overlaps can be read and named in the same
 * field error the check gives.
 */
async function writeGuardingOverlap<T>(run: SqlRunner, candidate: PricePeriod, timeZone: string | undefined, write: () => Promise<T>): Promise<T> {
  await run.execute(Prisma.sql`savepoint price_write`);
  try {
    const result = await write();
    await run.execute(Prisma.sql`release savepoint price_write`);
    return result;
  } catch (error) {
    if (databaseErrorCode(error) !== "23P01") throw error;
    await run.execute(Prisma.sql`rollback to savepoint price_write`);
    const overlap = findOverlappingPeriod(candidate, await lockPeriods(run, candidate));
    throw new RollbackWith(
      invalid(
        overlap
          ? overlapFieldErrors(candidate, overlap, timeZone)
          : { effectiveFrom: ["Overlaps another price for this GPU, provider and pricing model that was saved meanwhile; reload to see it"] },
      ),
    );
  }
}

function toData(values: GpuPriceValues) {
  return { ...values };
}

/** "Price H100 80GB · aws · On-demand from 2026-03-01 00:00 UTC", for Recently deleted and notices. */
export function priceLabel({ gpuTypeName, provider, pricingModel, effectiveFrom }: { gpuTypeName: string } & Pick<PricePeriod, "provider" | "pricingModel" | "effectiveFrom">): string {
  return `Price ${gpuTypeName} · ${provider} · ${PRICING_MODEL_LABELS[pricingModel]} from ${formatInstant(effectiveFrom)}`;
}

export async function createGpuPrice({
  viewer,
  values,
  idempotencyKey,
  endCurrentPrice,
  timeZone,
}: {
  viewer: Viewer;
  values: GpuPriceValues;
  idempotencyKey: string | null;
  /** The form's zone, for times in field errors (UTC when not given). */
  timeZone?: string;
  /**
   * End the key's open-ended price that started earlier when this one takes
   * effect. Applies only to an open-ended new price: ending the current one
   * at the start of a bounded one would leave no price after it.
   */
  endCurrentPrice: boolean;
}): Promise<MutationResult<{ id: number; isReplay: boolean; endedPriceId: number | null }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    if (idempotencyKey) {
      const earlier = await claimIdempotencyKey(run, { viewer, key: idempotencyKey, action: "gpuPrice.create" });
      if (earlier) return { id: Number(earlier), isReplay: true, endedPriceId: null };
    }
    await assertOwnGpuType(tx, viewer, values.gpuTypeId);
    const periods = await lockPeriods(run, values);
    let endedPriceId: number | null = null;
    const current = periods.find((p) => p.effectiveTo === null && p.effectiveFrom < values.effectiveFrom);
    if (endCurrentPrice && values.effectiveTo === null && current) {
      const before = await tx.gpuPrice.findUniqueOrThrow({ where: { id: current.id } });
      const ended = await tx.gpuPrice.update({ where: { id: current.id }, data: { effectiveTo: values.effectiveFrom, version: { increment: 1 } } });
      await writeAuditEntries(run, { viewer, source: "form" }, [
        { entityType: "gpuPrice", entityId: String(current.id), action: "UPDATE", before: auditSnapshot(before), after: auditSnapshot(ended) },
      ]);
      current.effectiveTo = values.effectiveFrom;
      endedPriceId = current.id;
    }
    assertNoOverlap(values, periods, timeZone);
    const created = await writeGuardingOverlap(run, values, timeZone, () => tx.gpuPrice.create({ data: toData(values) }));
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "gpuPrice", entityId: String(created.id), action: "CREATE", before: null, after: auditSnapshot(created) },
    ]);
    if (idempotencyKey) await settleIdempotencyKey(run, { viewer, key: idempotencyKey, entityId: String(created.id) });
    return { id: created.id, isReplay: false, endedPriceId };
  });
}

async function findOwnPrice(tx: Tx, viewer: Viewer, id: number) {
  return tx.gpuPrice.findFirst({ where: { id, gpuType: orgWhere(viewer) }, include: { gpuType: { select: { name: true } } } });
}

export async function updateGpuPrice({
  viewer,
  id,
  expectedVersion,
  values,
  timeZone,
}: {
  viewer: Viewer;
  id: number;
  expectedVersion: number;
  values: GpuPriceValues;
  /** The form's zone, for times in field errors (UTC when not given). */
  timeZone?: string;
}): Promise<MutationResult<{ id: number; version: number }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const found = await findOwnPrice(tx, viewer, id);
    if (!found) throw new RollbackWith(notFound("This price no longer exists: it was deleted after you opened it."));
    const { gpuType: _gpuType, ...current } = found;
    await assertOwnGpuType(tx, viewer, values.gpuTypeId);
    const candidate = { ...values, id };
    assertNoOverlap(candidate, await lockPeriods(run, values), timeZone);
    const { count } = await writeGuardingOverlap(run, candidate, timeZone, () =>
      tx.gpuPrice.updateMany({ where: { id, version: expectedVersion }, data: { ...toData(values), version: { increment: 1 } } }),
    );
    if (count === 0) {
      throw await staleVersion(run, { viewer, entityType: "gpuPrice", entityId: String(id), current, values, noun: "price" });
    }
    const updated = await tx.gpuPrice.findUniqueOrThrow({ where: { id } });
    await writeAuditEntries(run, { viewer, source: "form" }, [
      { entityType: "gpuPrice", entityId: String(id), action: "UPDATE", before: auditSnapshot(current), after: auditSnapshot(updated) },
    ]);
    return { id, version: updated.version };
  });
}

export async function deleteGpuPrice({ viewer, id }: { viewer: Viewer; id: number }): Promise<MutationResult<{ deletedId: number; label: string }>> {
  return orgWriteTransaction(viewer, "org:manage", async (tx, run) => {
    const found = await findOwnPrice(tx, viewer, id);
    if (!found) throw new RollbackWith(notFound("This price was already deleted."));
    const { gpuType, ...current } = found;
    const label = priceLabel({ gpuTypeName: gpuType.name, ...current });
    const deletedId = await trashRecord(run, { viewer, entityType: "gpuPrice", id, label, before: current });
    return { deletedId, label };
  });
}
