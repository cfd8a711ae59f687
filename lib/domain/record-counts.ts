const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "12 training runs and 1 deployment" (only the parts that aren't zero; "no runs or deployments" for none). */
export function describeRecords({ runs, deployments }: { runs: number; deployments: number }): string {
  const parts = [runs > 0 ? plural(runs, "training run", "training runs") : null, deployments > 0 ? plural(deployments, "deployment", "deployments") : null];
  return parts.filter(Boolean).join(" and ") || "no runs or deployments";
}
