import type { ProjectSummary } from "@cca/core";
import {
  formatAge,
  formatCost,
  formatCount,
  type RenderOptions,
  renderTable,
  totalTokens,
} from "./render.js";

/** `cca project list`: one line per project, the folder last so it is the one shortened. */
export function renderProjectTable(projects: readonly ProjectSummary[], options: RenderOptions): string {
  if (projects.length === 0) return "No projects yet: tasks sent with a project folder appear here.";
  const rows = projects.map((project) => [
    project.name,
    String(project.tasks.total ?? 0),
    String((project.tasks.queued ?? 0) + (project.tasks.running ?? 0)),
    String(project.agents),
    formatCount(totalTokens(project.usage)),
    formatCost(project.usage.cost_usd),
    formatAge(project.last_task_at, options.now),
    project.root,
  ]);
  return renderTable(
    ["PROJECT", "TASKS", "OPEN", "AGENTS", "TOKENS", "COST", "LAST", "ROOT"],
    rows,
    options.width,
  );
}
