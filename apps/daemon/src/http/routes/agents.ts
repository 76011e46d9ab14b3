import { CreateAgentRequestSchema } from "@cca/core";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import { readJsonBody } from "../body.js";

export function agentRoutes(deps: { agents: AgentManager }): Hono {
  return new Hono()
    .get("/agents", (context) => context.json(deps.agents.list()))
    .post("/agents", async (context) => {
      const { role } = await readJsonBody(context, CreateAgentRequestSchema);
      return context.json(await deps.agents.spawn(role), 201);
    })
    .get("/agents/:id", (context) => context.json(deps.agents.get(context.req.param("id"))))
    .delete("/agents/:id", async (context) => context.json(await deps.agents.stop(context.req.param("id"))));
}
