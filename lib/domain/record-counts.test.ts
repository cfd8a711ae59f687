import { describe, expect, it } from "vitest";
import { describeRecords } from "./record-counts";

describe("describeRecords", () => {
  it.each([
    [{ runs: 0, deployments: 0 }, "no runs or deployments"],
    [{ runs: 1, deployments: 0 }, "1 training run"],
    [{ runs: 0, deployments: 1 }, "1 deployment"],
    [{ runs: 2, deployments: 3 }, "2 training runs and 3 deployments"],
    [{ runs: 12345, deployments: 1 }, "12,345 training runs and 1 deployment"],
  ])("%o → %s", (counts, text) => expect(describeRecords(counts)).toBe(text));
});
