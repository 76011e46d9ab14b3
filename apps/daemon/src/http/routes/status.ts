import { addUsage, type DaemonStatus, emptyUsage } from "@cca/core";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";

/** Facts about the daemon that only its composition root knows. */
export interface StatusSource {
  bindAddress: string;
  configSource: string | null;
  bus: string;
  maxAgents: number;
}

export function statusRoutes(deps: {
  agents: AgentManager;
  orchestrator: Orchestrator;
  status: StatusSource;
  version: string;
  startedAt: number;
}): Hono {
  return new Hono().get("/status", async (context) => {
    const agents = deps.agents.list();
    const byState: Record<string, number> = {};
    const usage = emptyUsage();
    for (const agent of agents) {
      byState[agent.state] = (byState[agent.state] ?? 0) + 1;
      addUsage(usage, agent.usage);
    }
    const byStatus = await deps.orchestrator.countByStatus();
    const body: DaemonStatus = {
      version: deps.version,
      pid: process.pid,
      uptime_s: (Date.now() - deps.startedAt) / 1000,
      bind_address: deps.status.bindAddress,
      config_source: deps.status.configSource,
      bus: deps.status.bus,
      agents: { total: agents.length, max: deps.status.maxAgents, by_state: byState },
      tasks: { total: Object.values(byStatus).reduce((sum, n) => sum + n, 0), by_status: byStatus },
      usage,
      turns: deps.orchestrator.turns(),
    };
    return context.json(body);
  });
}
