import { type Agent, CreateAgentRequestSchema } from "@cca/core";
import type { AgentRepository } from "@cca/memory";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import { readJsonBody } from "../body.js";

/** Where the records of every daemon's agents are: the shared database. */
export interface AgentDirectory {
  /** This daemon's name. */
  daemon: string;
  repository: AgentRepository;
}

/** Agent states whose process is up. */
export const LIVE_AGENT_STATES: ReadonlySet<string> = new Set([
  "starting",
  "ready",
  "busy",
  "waiting_input",
  "stopping",
]);

export function agentRoutes(deps: { agents: AgentManager; agentDirectory?: AgentDirectory }): Hono {
  const { agents, agentDirectory } = deps;
  return new Hono()
    .get("/agents", async (context) => {
      if (!agentDirectory) return context.json(agents.list());
      // This daemon's own records are the freshest; the database adds the other daemons' live agents.
      const local = agents.list().map((agent) => ({ ...agent, daemon: agentDirectory.daemon }));
      const known = new Set(local.map((agent) => agent.id));
      const others = (await agentDirectory.repository.list()).filter(
        (agent) =>
          !known.has(agent.id) &&
          agent.daemon !== agentDirectory.daemon &&
          LIVE_AGENT_STATES.has(agent.state),
      );
      return context.json([...local, ...others.map(withoutResumable)]);
    })
    .post("/agents", async (context) => {
      const { role, driver } = await readJsonBody(context, CreateAgentRequestSchema);
      return context.json(await deps.agents.spawn(role, { driver }), 201);
    })
    .get("/agents/:id", async (context) => {
      const id = context.req.param("id");
      if (agents.has(id) || !agentDirectory) return context.json(agents.get(id));
      const stored = await agentDirectory.repository.find(id);
      return context.json(stored ? withoutResumable(stored) : agents.get(id));
    })
    .delete("/agents/:id", async (context) => context.json(await deps.agents.stop(context.req.param("id"))));
}

function withoutResumable(agent: Agent & { resumable?: boolean }): Agent {
  const { resumable: _resumable, ...rest } = agent;
  return rest;
}
