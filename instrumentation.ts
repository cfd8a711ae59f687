// Runs once when a Next.js server process starts (see the instrumentation guide in node_modules/next/dist/docs).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { serverEnv } = await import("./lib/env");
  const env = serverEnv();
  if (env.BURNRATE_COST_ROLLER === "off") return;
  const { startCostRoller } = await import("./lib/db/cost-roller");
  startCostRoller(env.DATABASE_URL);
}
