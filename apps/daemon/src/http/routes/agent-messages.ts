import { AgentMessageRequestSchema, CcaError, MAX_TASK_DESCRIPTION_CHARS } from "@cca/core";
import { Hono } from "hono";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import { readJsonBody } from "../body.js";

/**
 * `POST /agents/:id/messages {message}`: a turn for that agent. The message becomes a task
 * of the agent's role pinned to it (answered 202 with the task), so its result, usage and
 * activity are a task's; it waits while the agent is busy and fails if the agent stops first.
 */
export function agentMessageRoutes(deps: { orchestrator: Orchestrator }): Hono {
  return new Hono().post("/agents/:id/messages", async (context) => {
    const { message } = await readJsonBody(context, AgentMessageRequestSchema);
    if (message.length > MAX_TASK_DESCRIPTION_CHARS) {
      throw new CcaError(
        "payload_too_large",
        `The message has ${message.length} characters; the limit is ${MAX_TASK_DESCRIPTION_CHARS}. Put large material in files and refer to them.`,
      );
    }
    const task = await deps.orchestrator.submit({
      description: message,
      priority: "normal",
      agentId: context.req.param("id"),
    });
    return context.json(task, 202);
  });
}
