import { z } from "zod";
import { decimal, integer, required, text } from "./fields";

/** A GPU model an org runs on, with the specs that utilization and MFU are computed against. */
export const gpuTypeSchema = z.object(
  {
    name: required(text({ label: "Name", max: 100 })),
    memoryGb: required(integer({ label: "Memory", min: 1, max: 2048, unit: " GB" })),
    peakBf16Tflops: required(decimal({ label: "Peak BF16 TFLOPS", scale: 2, min: "0", minExclusive: true, max: "100000" })),
    memoryBandwidthGbps: required(
      decimal({ label: "Memory bandwidth", scale: 2, min: "0", minExclusive: true, max: "100000", unit: " GB/s" }),
    ),
  },
  { error: "Expected the GPU type's fields" },
);

export type GpuTypeValues = z.output<typeof gpuTypeSchema>;
