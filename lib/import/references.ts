/**
 * Teams, GPU types and deployments as a file names them, resolved to ids.
 * The lists hold only what the viewer may see (their org; as a member, their
 * teams), so anything else is simply unknown here. A reference the viewer may
 * see but not write carries the `refusal` its rows are rejected with.
 */

export interface ImportReferences {
  teams: readonly { id: number; slug: string; refusal?: string }[];
  gpuTypes: readonly { id: number; name: string }[];
  deployments: readonly DeploymentReference[];
}

export interface DeploymentReference {
  id: number;
  name: string;
  activeFrom: Date;
  activeTo: Date | null;
  /** Set when the viewer may not write the deployment's team: the row error naming the team. */
  refusal?: string;
}

export type Resolution = { ok: true; id: number } | { ok: false; message: string };

const loose = (text: string) => text.trim().toLowerCase().replace(/\s+/g, " ");

function sample(names: string[]): string {
  const shown = names.slice(0, 8).join(", ");
  return names.length > 8 ? `${shown}, …` : shown;
}

function show(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 60 ? `${trimmed.slice(0, 57)}…` : trimmed;
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** Exact match first, then one case- and space-insensitive match. */
function byName<T>(items: readonly T[], nameOf: (item: T) => string): (text: string) => T[] {
  const exact = new Map<string, T[]>();
  const relaxed = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item);
    push(exact, name, item);
    push(relaxed, loose(name), item);
  }
  return (text) => exact.get(text.trim()) ?? relaxed.get(loose(text)) ?? [];
}

export interface ReferenceResolver {
  team(text: string): Resolution;
  gpuType(text: string): Resolution;
  deployment(text: string): Resolution;
  deploymentById(id: number): DeploymentReference | undefined;
}

export function referenceResolver(references: ImportReferences): ReferenceResolver {
  const teams = byName(references.teams, (t) => t.slug);
  const gpuTypes = byName(references.gpuTypes, (g) => g.name);
  const deployments = byName(references.deployments, (d) => d.name);
  const deploymentIds = new Map(references.deployments.map((d) => [d.id, d]));
  const teamSlugs = references.teams.map((t) => t.slug).sort();
  const gpuNames = references.gpuTypes.map((g) => g.name).sort();
  return {
    team(text) {
      const [team] = teams(text);
      if (team) return team.refusal ? { ok: false, message: team.refusal } : { ok: true, id: team.id };
      return {
        ok: false,
        message: teamSlugs.length === 0 ? "This organization has no teams yet; create one under Settings first" : `No team "${show(text)}" in this organization; use a team's slug (${sample(teamSlugs)})`,
      };
    },
    gpuType(text) {
      const found = gpuTypes(text);
      if (found.length === 1) return { ok: true, id: found[0]!.id };
      if (found.length > 1) return { ok: false, message: `More than one GPU type is named like "${show(text)}"; write the name exactly as in the price catalog` };
      return {
        ok: false,
        message: gpuNames.length === 0 ? "This organization has no GPU types yet; add one under Settings first" : `No GPU type "${show(text)}" in this organization; use a name from the price catalog (${sample(gpuNames)})`,
      };
    },
    deployment(text) {
      const trimmed = text.trim();
      if (/^\d{1,10}$/.test(trimmed)) {
        const byId = deploymentIds.get(Number(trimmed));
        if (byId) return byId.refusal ? { ok: false, message: byId.refusal } : { ok: true, id: byId.id };
      }
      const found = deployments(trimmed);
      if (found.length === 1) return found[0]!.refusal ? { ok: false, message: found[0]!.refusal } : { ok: true, id: found[0]!.id };
      if (found.length > 1) {
        const ids = found.map((d) => d.id).sort((a, b) => a - b);
        return { ok: false, message: `${found.length} deployments are named "${show(trimmed)}" (ids ${ids.join(", ")}); write the id of the one you mean instead of its name` };
      }
      if (/^\d+$/.test(trimmed)) return { ok: false, message: `No deployment with id ${show(trimmed)} in this organization` };
      return { ok: false, message: `No deployment named "${show(trimmed)}" in this organization` };
    },
    deploymentById: (id) => deploymentIds.get(id),
  };
}
