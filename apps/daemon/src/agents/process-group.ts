import type { ChildProcess } from "node:child_process";
import { type Logger, settlesWithin } from "@cca/core";

/** How long `endProcessGroup` waits for the exit that a SIGKILL brings, at least. */
const KILL_WAIT_MS = 2_000;

/**
 * Signals the process group that `child` leads (spawned with `detached: true`). The group
 * outlives its leader while anything it started lives (an MCP server such as the agent's
 * bridge), so this also reaches those after the leader exited.
 */
export function signalProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing of the group is left. Otherwise at least the leader, if it still runs.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

/**
 * Ends a process group in bounded time: closes the leader's stdin, waits `graceMs`,
 * SIGTERMs the group, waits `graceMs`, then SIGKILLs it (the one signal a stopped or
 * wedged process cannot ignore), and SIGKILLs whatever is left of the group once the
 * leader is gone. `exited` resolves when the leader's exit is seen; if even SIGKILL
 * brings none, this logs it and resolves anyway.
 */
export async function endProcessGroup(options: {
  child: ChildProcess;
  exited: Promise<void>;
  graceMs: number;
  logger: Logger;
}): Promise<void> {
  const { child, exited, graceMs, logger } = options;
  child.stdin?.end();
  if (!(await settlesWithin(exited, graceMs))) {
    signalProcessGroup(child, "SIGTERM");
    if (!(await settlesWithin(exited, graceMs))) {
      signalProcessGroup(child, "SIGKILL");
      if (!(await settlesWithin(exited, Math.max(graceMs, KILL_WAIT_MS)))) {
        logger.error("Claude Code did not exit after SIGKILL; giving up waiting for it", { pid: child.pid });
      }
    }
  }
  signalProcessGroup(child, "SIGKILL");
}
