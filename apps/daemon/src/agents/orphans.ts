import { readFileSync } from "node:fs";
import type { Agent, Logger } from "@cca/core";

/**
 * Ends the Claude Code processes (and their bridges: each leads its own process group) that
 * a daemon killed with -9 left behind on this host. A process counts as the agent's only if
 * its command line names the agent's Claude session, so a pid reused since is left alone.
 * Resolves with how many it ended.
 */
export function endOrphanedAgents(agents: readonly Agent[], logger: Logger): number {
  let ended = 0;
  for (const agent of agents) {
    if (!agent.pid || !agent.session_id || !commandLineNames(agent.pid, agent.session_id)) continue;
    try {
      process.kill(-agent.pid, "SIGKILL");
      ended += 1;
      logger.info("ended an agent process its stopped daemon left behind", {
        agent: agent.id,
        pid: agent.pid,
      });
    } catch (error) {
      logger.debug("could not end a left-behind agent process", { pid: agent.pid, error: String(error) });
    }
  }
  return ended;
}

function commandLineNames(pid: number, sessionId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(sessionId);
  } catch {
    return false;
  }
}
