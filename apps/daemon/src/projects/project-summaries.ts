import { basename } from "node:path";
import type { ProjectSummary } from "@cca/core";
import type { AgentRepository, TaskRepository } from "@cca/memory";

/** Every project with its tasks, live agents, and the team's tokens and cost; most recent first. */
export async function summarizeProjects(
  tasks: TaskRepository,
  agents: AgentRepository,
): Promise<ProjectSummary[]> {
  const [totals, liveAgents] = await Promise.all([tasks.projectTotals(), agents.liveCountByProject()]);
  return totals.map((project) => ({
    root: project.project,
    name: basename(project.project) || project.project,
    tasks: { total: Object.values(project.tasks).reduce((sum, count) => sum + count, 0), ...project.tasks },
    agents: liveAgents.get(project.project) ?? 0,
    usage: project.usage,
    last_task_at: project.lastTaskAt,
  }));
}
