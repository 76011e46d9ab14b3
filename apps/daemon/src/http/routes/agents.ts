import { CreateAgentRequestSchema } from "@cca/core";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import type { AgentRegistry } from "../../agents/agent-registry.js";
import { readJsonBody } from "../body.js";

export function agentRoutes(deps: { agents: AgentManager; registry?: AgentRegistry | null }): Hono {
  const { agents, registry } = deps;
  return new Hono()
    .get("/agents", async (context) => {
      if (!registry) return context.json(agents.list());
      // This daemon's own records are the freshest; the registry adds the other daemons'.
      const local = agents.list().map((agent) => ({ ...agent, daemon: registry.daemon }));
      const known = new Set(local.map((agent) => agent.id));
      const others = (await registry.list()).filter((agent) => !known.has(agent.id));
      return context.json([...local, ...others]);
    })
    .post("/agents", async (context) => {
      const { role } = await readJsonBody(context, CreateAgentRequestSchema);
      return context.json(await deps.agents.spawn(role), 201);
    })
    .get("/agents/:id", async (context) => {
      const id = context.req.param("id");
      const remote = registry && !agents.has(id) ? await registry.get(id) : undefined;
      return context.json(remote ?? agents.get(id));
    })
    .delete("/agents/:id", async (context) => context.json(await deps.agents.stop(context.req.param("id"))));
}
