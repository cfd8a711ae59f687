import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";

export async function listDeployments({ viewer }: { viewer: Viewer }) {
  return db().inferenceDeployment.findMany({
    where: { team: { orgId: viewer.orgId } },
    select: {
      id: true,
      name: true,
      model: true,
      servingEngine: true,
      quantization: true,
      batching: true,
      gpuCount: true,
      provider: true,
      pricingModel: true,
      p99SloMs: true,
      activeFrom: true,
      activeTo: true,
      team: { select: { slug: true, name: true } },
      gpuType: { select: { name: true } },
    },
    orderBy: [{ activeTo: { sort: "desc", nulls: "first" } }, { name: "asc" }],
  });
}

export type DeploymentListRow = Awaited<ReturnType<typeof listDeployments>>[number];
