import type { Agent } from "@cca/core";
import { ACTIVE_STATES, type ManagedAgent } from "./managed-agent.js";
import type { RssReader } from "./process-memory.js";

/** A copy of the agent's record with its process tree's resident memory while it lives (`rss_bytes`), else null. */
export function agentView(agent: ManagedAgent, rss: RssReader): Agent {
  const { pid, state } = agent.record;
  const live = ACTIVE_STATES.has(state) || state === "stopping";
  return { ...structuredClone(agent.record), rss_bytes: live && pid !== null ? rss(pid) : null };
}
