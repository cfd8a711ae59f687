// Whether PostgreSQL answers, as this server process last saw it: for /api/health and the logs.
// Not server-only: scripts build their clients through create-client too.

export interface DatabaseOutage {
  /** One phrase: "connection refused", "starting up (recovering)", "timed out", … */
  problem: string;
  /** When the first failure of this outage was seen. */
  since: Date;
}

// One record per process; Next may load this module once per bundle.
const state = globalThis as unknown as { burnrateDbOutage?: DatabaseOutage | null };

/** A short, secret-free phrase for a connection or server error (pg, Prisma or Node). */
export function describeDatabaseError(error: unknown): string {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  // Prisma wraps the driver's error (meta.driverAdapterError.cause, or cause): look through for a code we know.
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const { code, kind, originalCode, message, cause, meta } = e as Record<string, unknown>;
    // Backends end their sessions this way (57P01) when the postmaster is killed.
    if (typeof message === "string" && /unexpected postmaster exit/i.test(message)) return "server process died";
    for (const c of [originalCode, code, kind]) {
      const phrase = typeof c === "string" ? PHRASES[c] : undefined;
      if (phrase) return phrase;
    }
    if (typeof message === "string") {
      if (/timeout|timed out/i.test(message)) return "timed out";
      if (/ECONNREFUSED/.test(message)) return "connection refused";
      // node-postgres, on a client whose connection failed or was closed under it.
      if (/Connection terminated|terminating connection|server closed the connection|is not queryable/i.test(message)) return "connection lost";
    }
    queue.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  const message = error instanceof Error ? (error.message.split("\n").find((line) => line.trim()) ?? error.name) : String(error);
  return message.trim().slice(0, 200) || "unknown error";
}

const PHRASES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "host not found",
  EHOSTUNREACH: "host unreachable",
  // SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
  "57P01": "server shut down",
  "57P02": "server crashed and is restarting",
  "57P03": "starting up (recovering)",
  "28P01": "password authentication failed",
  "3D000": "database does not exist",
  "53300": "too many connections",
  // Prisma's name for ECONNREFUSED and ENOTFOUND alike.
  DatabaseNotReachable: "server not reachable",
  SocketTimeout: "timed out",
  ConnectionClosed: "connection lost",
  TooManyConnections: "too many connections",
  AuthenticationFailed: "password authentication failed",
  DatabaseDoesNotExist: "database does not exist",
};

/** The phrases describeDatabaseError gives for a server that can't be reached or used right now (as opposed to a query's own error). */
const OUTAGE_PHRASES = new Set([...Object.values(PHRASES), "server process died", "timed out", "connection refused", "connection lost"]);

/** Whether an error means PostgreSQL is away (down, restarting, unreachable, refusing us), not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return OUTAGE_PHRASES.has(describeDatabaseError(error));
}

/** Records a failure; the first one of an outage is logged once and starts its clock. */
export function noteDatabaseFailure(error: unknown): DatabaseOutage {
  const problem = describeDatabaseError(error);
  const current = state.burnrateDbOutage;
  if (current) {
    current.problem = problem;
    return current;
  }
  const outage = { problem, since: new Date() };
  state.burnrateDbOutage = outage;
  console.error(`burnrate: database unavailable (${problem}); queries fail fast until it is back`);
  return outage;
}

/** Records a success; ends an outage (logged once). */
export function noteDatabaseSuccess(): void {
  const current = state.burnrateDbOutage;
  if (!current) return;
  state.burnrateDbOutage = null;
  console.error(`burnrate: database reachable again after ${((Date.now() - current.since.getTime()) / 1000).toFixed(1)} s`);
}

export function currentDatabaseOutage(): DatabaseOutage | null {
  return state.burnrateDbOutage ?? null;
}
