import { readdirSync, readFileSync } from "node:fs";

/**
 * How much CPU the rest of the machine used while we measured: busy time from
 * /proc/stat minus the time of this process tree (the bench and, when
 * embedded, PostgreSQL and its backends). Linux only; null elsewhere.
 */

const TICKS_PER_SECOND = 100; // USER_HZ

interface Snapshot {
  atMs: number;
  busyTicks: number;
  ownTicks: number;
  cpus: number;
}

function busyTicks(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** utime + stime + cutime + cstime of `root` and all its descendants. */
function treeTicks(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesized command name; state is field 3.
      const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]) });
    } catch {
      // the process exited meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function cpuSnapshot(cpus: number): Snapshot | null {
  try {
    return { atMs: performance.now(), busyTicks: busyTicks(), ownTicks: treeTicks(process.pid), cpus };
  } catch {
    return null;
  }
}

/** Share (0..1) of the machine's CPU capacity used by other processes between two snapshots. */
export function otherCpuShare(from: Snapshot | null, to: Snapshot | null): number | null {
  if (!from || !to) return null;
  const capacity = ((to.atMs - from.atMs) / 1000) * TICKS_PER_SECOND * to.cpus;
  const other = to.busyTicks - from.busyTicks - (to.ownTicks - from.ownTicks);
  return capacity > 0 ? Math.max(0, other / capacity) : null;
}
