import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { gpuPriceSchema } from "./gpu-price";
import { gpuTypeSchema } from "./gpu-type";
import { inferenceDeploymentSchema } from "./inference-deployment";
import { teamSchema } from "./team";
import { trainingRunSchema } from "./training-run";
import { type DeploymentPeriod, usageWindowReader, usageWindowSchema } from "./usage-window";

const now = new Date("2026-06-01T12:00:00Z");
const deployment = { id: 7, activeFrom: new Date("2026-01-01T00:00:00Z"), activeTo: null };

/** Each schema with a valid input, so single-field mutations reach the cross-field checks. */
const entities: [string, z.ZodObject, Record<string, unknown>][] = [
  ["team", teamSchema, { slug: "research", name: "Research", monthlyBudgetUsd: "100", timeZone: "UTC" }],
  ["gpuType", gpuTypeSchema, { name: "H100", memoryGb: 80, peakBf16Tflops: "989.5", memoryBandwidthGbps: "3350" }],
  [
    "gpuPrice",
    gpuPriceSchema,
    { gpuTypeId: 1, provider: "aws", pricingModel: "SPOT", pricePerGpuHour: "2.5", effectiveFrom: "2026-01-01T00:00:00Z", effectiveTo: "2026-02-01T00:00:00Z" },
  ],
  [
    "trainingRun",
    trainingRunSchema({ now }),
    {
      teamId: 1, name: "run", model: "m", method: "LORA", precision: "BF16", gpuTypeId: 1, provider: "aws", pricingModel: "SPOT",
      gpuCount: 8, startedAt: "2026-05-01T00:00:00Z", endedAt: "2026-05-02T00:00:00Z", status: "SUCCEEDED",
    },
  ],
  [
    "inferenceDeployment",
    inferenceDeploymentSchema,
    {
      teamId: 1, name: "chat", model: "m", servingEngine: "VLLM", quantization: "NONE", batching: "CONTINUOUS", gpuTypeId: 1,
      provider: "aws", pricingModel: "ON_DEMAND", gpuCount: 2, activeFrom: "2026-01-01T00:00:00Z",
    },
  ],
  [
    "usageWindow",
    usageWindowSchema({ now, deployment }),
    {
      deploymentId: 7, windowStart: "2026-03-01T00:00:00Z", windowSeconds: 3600, requests: 100, errors: 1, inputTokens: 1000,
      cachedInputTokens: 10, outputTokens: 500, latencyP50Ms: "10", latencyP95Ms: "20", latencyP99Ms: "30",
    },
  ],
];

// Strings a form or CSV cell might hold, near every rule's edges, plus anything at all.
const edgyString = fc.constantFrom(
  "", " ", "0", "-0", "1", "-1", "0.000001", "0.0000001", "1e3", "1,000", "$5", ".5", "5.", "NaN", "Infinity", "on", "off",
  "true", "2026-03-01T00:00:00Z", "2026-03-01T00:00", "2026-02-30T00:00:00Z", "9".repeat(40), "UTC", "Europe/Berlin", "+05:00",
  "RUNNING", "SUCCEEDED", "spot", "\u0000", "a\nb", "__proto__", "constructor",
);
const anyValue = fc.oneof(
  edgyString,
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Decimal("1.5")),
  fc.anything(),
);

function expectWellFormed(result: z.ZodSafeParseResult<unknown>, keys: string[]): void {
  if (result.success) return;
  expect(result.error.issues.length).toBeGreaterThan(0);
  for (const issue of result.error.issues) {
    expect(issue.path).toHaveLength(1);
    expect(keys).toContain(issue.path[0]);
    // Every message is one of ours, never zod's generic "Invalid input: expected …".
    expect(issue.message).not.toMatch(/^Invalid input/);
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

describe.each(entities)("%s schema on arbitrary input", (_name, schema, valid) => {
  const keys = Object.keys(schema.shape);

  it("accepts its valid example", () => {
    expect(schema.safeParse(valid).success).toBe(true);
  });

  it("never throws on arbitrary values for every field, and names a field in every issue", () => {
    const input = fc.record(Object.fromEntries(keys.map((key) => [key, anyValue])), { requiredKeys: [] });
    fc.assert(fc.property(input, (value) => expectWellFormed(schema.safeParse(value), keys)), { numRuns: 300 });
  });

  it("never throws when one field of a valid input is replaced", () => {
    fc.assert(
      fc.property(fc.constantFrom(...keys), anyValue, (key, value) => {
        expectWellFormed(schema.safeParse({ ...valid, [key]: value }), keys);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a non-object input as a whole, without throwing", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.anything())), (value) => {
        const result = schema.safeParse(value);
        expect(result.success).toBe(false);
        expect(result.error?.issues.map((i) => i.path)).toEqual([[]]);
      }),
    );
  });
});

describe("usageWindowReader (the API's path) against usageWindowSchema (forms, CSV)", () => {
  const periods = new Map<number, DeploymentPeriod>([
    [7, deployment],
    [8, { activeFrom: new Date("2026-01-01T00:00:00Z"), activeTo: new Date("2026-05-01T00:00:00Z") }],
  ]);
  const valid = entities.find(([name]) => name === "usageWindow")![2];
  // Values the API's typed windows carry, near each rule's edges, as well as anything at all.
  const typedValue = fc.oneof(
    fc.constantFrom(7, 8, 9, 0, -1, 60, 3600, 2_678_400, 2_678_401, 10 ** 12, 10 ** 12 + 1, 2 ** 53, 1.5, "10", "20.5", "30.0001", "", null, undefined),
    fc.constantFrom("2026-03-01T00:00:00Z", "2026-04-30T23:00:00Z", "2026-05-01T00:00:00Z", "2026-06-01T12:04:00Z", "2026-06-01T12:06:00Z", "2025-12-31T23:59:59Z", "2026-03-01T00:00"),
    fc.integer({ min: -5, max: 5000 }),
    anyValue,
  );
  const keys = Object.keys(usageWindowSchema({ now, deployment }).shape);

  function agree(options: Parameters<typeof usageWindowSchema>[0], input: Record<string, unknown>): void {
    const zod = usageWindowSchema(options).safeParse(input);
    const read = usageWindowReader(options)(input);
    if (zod.success) expect(read).toEqual({ ok: true, value: zod.data });
    else expect(read).toEqual({ ok: false, issues: zod.error.issues.map((issue) => ({ field: issue.path[0], message: issue.message })) });
  }

  it("gives the same values, or the same issues in the same order, for a batch's lookup and for one pinned deployment", () => {
    const mutations = fc.dictionary(fc.constantFrom(...keys), typedValue, { maxKeys: 4 });
    fc.assert(
      fc.property(mutations, fc.boolean(), (changes, pinned) => {
        const input = { ...valid, ...changes };
        agree(pinned ? { now, deployment } : { now, deployment: (id: number) => periods.get(id) }, input);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees on every field of arbitrary input", () => {
    const input = fc.record(Object.fromEntries(keys.map((key) => [key, anyValue])), { requiredKeys: [] });
    fc.assert(fc.property(input, (value) => agree({ now, deployment: (id: number) => periods.get(id) }, value)), { numRuns: 500 });
  });
});
