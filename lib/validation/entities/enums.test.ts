import { describe, expect, it } from "vitest";
import * as Db from "@/lib/db/generated/enums";
import * as Labels from "@/lib/domain/labels";
import * as Enums from "./enums";
import { enumKey } from "./fields";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Fails `tsc` if a tuple drifts from the Prisma enum.
const sameTypes: [
  Equal<Enums.PricingModel, Db.PricingModel>,
  Equal<Enums.TrainingMethod, Db.TrainingMethod>,
  Equal<Enums.Precision, Db.Precision>,
  Equal<Enums.RunStatus, Db.RunStatus>,
  Equal<Enums.ServingEngine, Db.ServingEngine>,
  Equal<Enums.Quantization, Db.Quantization>,
  Equal<Enums.Batching, Db.Batching>,
] = [true, true, true, true, true, true, true];

const enums = [
  ["PricingModel", Enums.PRICING_MODELS, Db.PricingModel, Labels.PRICING_MODEL_LABELS],
  ["TrainingMethod", Enums.TRAINING_METHODS, Db.TrainingMethod, Labels.TRAINING_METHOD_LABELS],
  ["Precision", Enums.PRECISIONS, Db.Precision, Labels.PRECISION_LABELS],
  ["RunStatus", Enums.RUN_STATUSES, Db.RunStatus, Labels.RUN_STATUS_LABELS],
  ["ServingEngine", Enums.SERVING_ENGINES, Db.ServingEngine, Labels.SERVING_ENGINE_LABELS],
  ["Quantization", Enums.QUANTIZATIONS, Db.Quantization, Labels.QUANTIZATION_LABELS],
  ["Batching", Enums.BATCHINGS, Db.Batching, Labels.BATCHING_LABELS],
] as const;

describe("enums", () => {
  it("type-check against the database", () => {
    expect(sameTypes.every(Boolean)).toBe(true);
  });

  it.each(enums)("%s has the database's values in order", (_name, tuple, dbEnum) => {
    expect([...tuple]).toEqual(Object.values(dbEnum));
  });

  // Inputs are matched by value or label ignoring case and punctuation; no two may meet.
  it.each(enums)("%s values and labels stay distinct when normalized", (_name, tuple, _dbEnum, labels) => {
    for (const value of tuple) {
      const others = tuple.filter((v) => v !== value).flatMap((v) => [enumKey(v), enumKey((labels as Record<string, string>)[v]!)]);
      expect(others).not.toContain(enumKey(value));
      expect(others).not.toContain(enumKey((labels as Record<string, string>)[value]!));
    }
  });
});
