import { describe, expect, it } from "vitest";
import { deploymentCostPreview } from "./deployment-cost-preview";

const now = new Date("2026-11-20T12:00:00Z");
const deployment = {
  gpuCount: 8,
  pricePerGpuHourOverride: null,
  catalogPrices: [{ pricePerGpuHour: "2.5", effectiveFrom: new Date("2025-01-01T00:00:00Z"), effectiveTo: null }],
  activeFrom: new Date("2026-11-10T12:00:00Z"),
  activeTo: null,
};
const value = (lines: { label: string; value: string }[], label: string) => lines.find((l) => l.label === label)?.value;

describe("deploymentCostPreview", () => {
  it("prices the GPUs per hour, per day and over the active period so far", () => {
    const { lines, warnings } = deploymentCostPreview({ deployment, catalogName: "aws On-demand", now });
    expect(value(lines, "Per hour")).toBe("$20.00");
    expect(value(lines, "Per day")).toBe("$480.00");
    // Ten days: 8 × 240 h × $2.50.
    expect(value(lines, "Active period so far")).toBe("$4,800.00");
    expect(warnings).toEqual([]);
  });

  it("warns about a price per node, a missing catalog price and a far-off start", () => {
    expect(deploymentCostPreview({ deployment: { ...deployment, pricePerGpuHourOverride: "20" }, catalogName: "aws On-demand", now }).warnings[0]).toMatch(/8.0× the catalog price .* not per node-hour/);
    expect(deploymentCostPreview({ deployment: { ...deployment, catalogPrices: [] }, catalogName: "gcp Spot", now }).warnings).toEqual([
      "1,920 GPU-h have no catalog price for gcp Spot and are not charged — add a price in Settings or enter a price override.",
      "No catalog price for gcp Spot now — add one in Settings or enter a price override.",
    ]);
    expect(deploymentCostPreview({ deployment: { ...deployment, activeFrom: new Date("2016-11-10T00:00:00Z") }, catalogName: "aws On-demand", now }).warnings).toContain("It went live over 5 years ago — check the year.");
  });

  it("costs nothing yet before it goes live, and stops at its end", () => {
    expect(value(deploymentCostPreview({ deployment: { ...deployment, activeFrom: new Date("2026-12-01T00:00:00Z") }, catalogName: "aws", now }).lines, "Active period so far")).toBe("$0.00");
    const ended = deploymentCostPreview({ deployment: { ...deployment, activeTo: new Date("2026-11-11T12:00:00Z") }, catalogName: "aws", now });
    expect(value(ended.lines, "Active period")).toBe("$480.00");
  });
});
