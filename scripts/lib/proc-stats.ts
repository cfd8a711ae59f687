import { existsSync, readdirSync, readFileSync } from "node:fs";

// Processes' memory and CPU from /proc, for the load benchmarks (Linux only).

/** A process and all its descendants (Next may fork workers). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const taskDir = `/proc/${pids[i]}/task`;
    if (!existsSync(taskDir)) continue;
    for (const task of readdirSync(taskDir)) {
      try {
        const children = readFileSync(`${taskDir}/${task}/children`, "utf8").trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      } catch {
        // exited meanwhile
      }
    }
  }
  return pids;
}

/** VmRSS in bytes summed over the tree. */
export function treeRss(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const kb = readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)?.[1];
      if (kb) total += Number(kb) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** User + system CPU seconds of the tree. */
export function treeCpuSeconds(pids: number[]): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** PostgreSQL's backends serving `database` (other PostgreSQL servers may run on the machine). */
export function postgresPids(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").startsWith(`postgres: `) && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
