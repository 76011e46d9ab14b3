import { readdirSync, readFileSync } from "node:fs";

/** Reads a process's resident memory in bytes; null when it cannot be read (gone, or not Linux). */
export type RssReader = (pid: number) => number | null;

/** Most processes one reading walks, so that a runaway tree cannot make a listing slow. */
const MAX_TREE_SIZE = 256;

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** `VmRSS` from `/proc/<pid>/status`, in bytes (the kernel reports kB). */
function ownRss(pid: number): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readText(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) * 1024 : null;
}

/** The pids of the children of every thread of `pid` (empty where the kernel has no `children` files). */
function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((thread) =>
    (readText(`/proc/${pid}/task/${thread}/children`) ?? "").split(" ").filter(Boolean).map(Number),
  );
}

/**
 * The resident memory of `pid` and every process below it (for an agent: Claude Code and
 * the MCP servers it started), in bytes, from `/proc`; null when `pid` itself cannot be
 * read. A child that ends while it is read counts as 0.
 * @example processTreeRss(agent.pid) // 312_000_000
 */
export const processTreeRss: RssReader = (pid) => {
  const root = ownRss(pid);
  if (root === null) return null;
  let total = root;
  const seen = new Set([pid]);
  const queue = childrenOf(pid);
  while (queue.length > 0 && seen.size < MAX_TREE_SIZE) {
    const child = queue.shift()!;
    if (seen.has(child)) continue;
    seen.add(child);
    total += ownRss(child) ?? 0;
    queue.push(...childrenOf(child));
  }
  return total;
};
