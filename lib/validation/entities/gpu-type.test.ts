import { describe } from "vitest";
import { gpuTypeSchema } from "./gpu-type";
import { accept, chars, itChecksCases, reject } from "./test-cases";

const base = { name: "H100 80GB", memoryGb: "80", peakBf16Tflops: "989.50", memoryBandwidthGbps: "3350.00" };

describe("gpuTypeSchema", () => {
  itChecksCases(gpuTypeSchema, base, [
    ["a form's strings parsed", {}, accept({ name: "H100 80GB", memoryGb: 80, peakBf16Tflops: "989.5", memoryBandwidthGbps: "3350" })],
    ["an API's numbers parsed", { memoryGb: 141, peakBf16Tflops: 989.5, memoryBandwidthGbps: 4800 }, accept({ memoryGb: 141, peakBf16Tflops: "989.5", memoryBandwidthGbps: "4800" })],

    ["name missing rejected", { name: " " }, reject("name", "Name is required")],
    ["name of 100 characters accepted", { name: chars(100) }, accept()],
    ["name of 101 characters rejected", { name: chars(101) }, reject("name", "Name must be at most 100 characters")],

    ["memory 0 GB rejected", { memoryGb: "0" }, reject("memoryGb", "Memory must be at least 1 GB")],
    ["memory 1 GB accepted", { memoryGb: "1" }, accept({ memoryGb: 1 })],
    ["memory 2048 GB accepted", { memoryGb: 2048 }, accept({ memoryGb: 2048 })],
    ["memory 2049 GB rejected", { memoryGb: 2049 }, reject("memoryGb", "Memory must be at most 2,048 GB")],
    ["fractional memory rejected", { memoryGb: "80.5" }, reject("memoryGb", "Memory must be a whole number")],
    ["fractional memory number rejected", { memoryGb: 80.5 }, reject("memoryGb", "Memory must be a whole number")],
    ["memory in exponent notation rejected", { memoryGb: "1e2" }, reject("memoryGb", /whole number written in digits/)],
    ["memory NaN rejected", { memoryGb: Number.NaN }, reject("memoryGb", "Memory must be a number")],
    ["memory empty rejected as missing, not 0", { memoryGb: "" }, reject("memoryGb", "Memory is required")],

    ["peak 0 rejected", { peakBf16Tflops: "0" }, reject("peakBf16Tflops", "Peak BF16 TFLOPS must be greater than 0")],
    ["peak 0.01 accepted", { peakBf16Tflops: "0.01" }, accept({ peakBf16Tflops: "0.01" })],
    ["peak 100000 accepted", { peakBf16Tflops: "100000" }, accept()],
    ["peak 100000.01 rejected", { peakBf16Tflops: "100000.01" }, reject("peakBf16Tflops", "Peak BF16 TFLOPS must be at most 100,000")],
    ["peak with 2 decimals accepted", { peakBf16Tflops: "362.05" }, accept({ peakBf16Tflops: "362.05" })],
    ["peak with 3 decimals rejected", { peakBf16Tflops: "362.055" }, reject("peakBf16Tflops", "Peak BF16 TFLOPS can have at most 2 decimal places")],
    ["peak float with lost digits rejected", { peakBf16Tflops: 0.1 + 0.2 }, reject("peakBf16Tflops", /at most 2 decimal places/)],
    ["peak negative rejected", { peakBf16Tflops: "-1" }, reject("peakBf16Tflops")],

    ["bandwidth 0 rejected", { memoryBandwidthGbps: "0" }, reject("memoryBandwidthGbps", "Memory bandwidth must be greater than 0")],
    ["bandwidth 0.01 accepted", { memoryBandwidthGbps: "0.01" }, accept()],
    ["bandwidth 100000 accepted", { memoryBandwidthGbps: "100000.00" }, accept({ memoryBandwidthGbps: "100000" })],
    ["bandwidth 100000.01 rejected", { memoryBandwidthGbps: "100000.01" }, reject("memoryBandwidthGbps", "Memory bandwidth must be at most 100,000 GB/s")],
    ["bandwidth with 3 decimals rejected", { memoryBandwidthGbps: "864.001" }, reject("memoryBandwidthGbps")],
  ]);
});
