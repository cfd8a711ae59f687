import { rollupQuarters, type UsageWindowInput } from "@/lib/domain/usage-rollup";
import { sketchFromSamples } from "@/lib/domain/latency-sketch";
const N = 100_000;
const t0 = performance.now();
const ws: UsageWindowInput[] = [];
const start = Date.UTC(2026, 0, 1);
for (let i = 0; i < N; i++) {
  const s: number[] = [];
  for (let j = 0; j < 18; j++) s.push(Math.exp(5 + 0.5 * Math.random()));
  ws.push({ windowStart: new Date(start + i * 300000), windowSeconds: 300, requests: 500n, errors: 2n, inputTokens: 100000n, cachedInputTokens: 1000n, outputTokens: 50000n,
    latency: sketchFromSamples(s), summaryMs: null, avgGpuUtilizationCentiPct: 5000 });
}
const t1 = performance.now();
const q = rollupQuarters(ws);
const t2 = performance.now();
let keys = 0; for (const w of ws) keys += w.latency!.keys.length;
console.log({ gen: t1 - t0, rollup: t2 - t1, quarters: q.size, avgKeys: keys / N });
