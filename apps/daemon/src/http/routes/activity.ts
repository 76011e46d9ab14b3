import type { ActivityView } from "@cca/core";
import { Hono } from "hono";
import type { ActivityLog } from "../../activity/activity-log.js";
import type { AgentManager } from "../../agents/agent-manager.js";

export function activityRoutes(deps: { agents: AgentManager; activity: ActivityLog }): Hono {
  return new Hono().get("/activity", (context) => {
    const body: ActivityView = {
      agents: deps.agents.list().map((agent) => ({
        id: agent.id,
        role: agent.role,
        state: agent.state,
        current_task_id: agent.current_task_id,
        last_tool: agent.last_tool,
        usage: agent.usage,
      })),
      recent: deps.activity.recent(50),
    };
    return context.json(body);
  });
}
