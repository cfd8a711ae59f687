// Runs once when a Next.js server process starts (see the instrumentation guide in node_modules/next/dist/docs).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL || process.env.BURNRATE_COST_ROLLER === "off") return;
  const { startCostRoller } = await import("./lib/db/cost-roller");
  startCostRoller(process.env.DATABASE_URL);
}
