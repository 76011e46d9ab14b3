import type { ProjectSummary } from "@cca/core";
import { Hono } from "hono";

/** `GET /api/v1/projects`: each project's tasks, agents, tokens and cost. */
export function projectRoutes(deps: { listProjects: () => Promise<ProjectSummary[]> }): Hono {
  return new Hono().get("/projects", async (context) => context.json(await deps.listProjects()));
}
