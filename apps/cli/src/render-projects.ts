import { formatAge, formatCompactCount, formatCost, type ProjectSummary, totalTokens } from "@cca/core";
import { renderTable } from "./layout/table.js";
import type { RenderOptions } from "./render.js";

/** `cca project list`: one line per project, the folder last so it is the one shortened. */
export function renderProjectTable(projects: readonly ProjectSummary[], options: RenderOptions): string {
  if (projects.length === 0) return "No projects yet: tasks sent with a project folder appear here.";
  const rows = projects.map((project) => [
    project.name,
    String(project.tasks.total ?? 0),
    String((project.tasks.queued ?? 0) + (project.tasks.running ?? 0)),
    String(project.agents),
    formatCompactCount(totalTokens(project.usage)),
    formatCost(project.usage.cost_usd),
    formatAge(project.last_task_at, options.now.getTime()),
    project.root,
  ]);
  return renderTable(
    ["PROJECT", "TASKS", "OPEN", "AGENTS", "TOKENS", "COST", "LAST", "ROOT"],
    rows,
    options.width,
  );
}
