import { basename } from "node:path";
import type { Agent, ProjectSummary } from "@cca/core";
import type { AgentRepository, TaskRepository } from "@cca/memory";
import { ACTIVE_STATES } from "../agents/managed-agent.js";

/**
 * Every project with its tasks, live agents, and the team's tokens and cost; most recent
 * first. This daemon's agents are counted as it holds them (the freshest: their records
 * reach the database shortly after), the other daemons' from the database.
 */
export async function summarizeProjects(
  tasks: TaskRepository,
  agents: AgentRepository,
  local: { daemon: string; agents: () => Agent[] },
): Promise<ProjectSummary[]> {
  const [totals, liveElsewhere] = await Promise.all([
    tasks.projectTotals(),
    agents.liveCountByProject({ exceptDaemon: local.daemon }),
  ]);
  const live = new Map(liveElsewhere);
  for (const agent of local.agents()) {
    if (agent.project !== null && ACTIVE_STATES.has(agent.state))
      live.set(agent.project, (live.get(agent.project) ?? 0) + 1);
  }
  return totals.map((project) => ({
    root: project.project,
    name: basename(project.project) || project.project,
    tasks: { total: Object.values(project.tasks).reduce((sum, count) => sum + count, 0), ...project.tasks },
    agents: live.get(project.project) ?? 0,
    usage: project.usage,
    last_task_at: project.lastTaskAt,
  }));
}
