import { existsSync } from "node:fs";
import {
  CcaError,
  type ProjectSummary,
  type Worktree,
  type WorktreePruneReport,
  WorktreePruneRequestSchema,
} from "@cca/core";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import { isGitError } from "../../git/index.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import { resolveProject } from "../../projects/resolve-project.js";
import type { Workspaces } from "../../workspaces/workspaces.js";
import { readJsonBody } from "../body.js";
import { pruneReportWire, worktreeWire } from "../git-wire.js";
import { type AgentDirectory, LIVE_AGENT_STATES } from "./agents.js";

export interface WorktreeRouteDeps {
  orchestrator: Orchestrator;
  workspaces: Workspaces;
  listProjects: () => Promise<ProjectSummary[]>;
  /** This daemon's agents. */
  agents: AgentManager;
  /** The agents of every daemon on the database. */
  agentDirectory?: AgentDirectory;
}

/**
 * The agents' git worktrees: `GET /worktrees?project=` lists them with their states,
 * `POST /worktrees/prune {project?}` removes the clean ones. Without a project, every git
 * project the daemon has worked on. A project with a task queued or running is not pruned
 * (its worktrees are reported as kept, with why), so no agent loses its folder mid-turn.
 */
export function worktreeRoutes(deps: WorktreeRouteDeps): Hono {
  const { workspaces } = deps;
  return new Hono()
    .get("/worktrees", async (context) => {
      const projects = await projectsOf(deps, context.req.query("project"));
      const lists = await Promise.all(
        projects.map(async (project) =>
          (await skipGone(() => workspaces.worktrees(project), [])).map((worktree) =>
            worktreeWire(project, worktree),
          ),
        ),
      );
      return context.json(lists.flat() satisfies Worktree[]);
    })
    .post("/worktrees/prune", async (context) => {
      const request = await readJsonBody(context, WorktreePruneRequestSchema);
      const report: WorktreePruneReport = { removed: [], kept: [] };
      for (const project of await projectsOf(deps, request.project)) {
        const busy = await openTasks(deps.orchestrator, project);
        if (busy.length > 0) {
          const tasks = busy.length === 1 ? `task ${busy[0]} is` : `tasks ${busy.join(", ")} are`;
          const reason = `${tasks} under way in this project; prune once the agents are done`;
          const worktrees = await skipGone(() => workspaces.worktrees(project), []);
          report.kept.push(
            ...worktrees.map((worktree) => ({ worktree: worktreeWire(project, worktree), reason })),
          );
          continue;
        }
        const live = await liveAgents(deps);
        const pruned = await skipGone(() => workspaces.prune(project, live), { removed: [], kept: [] });
        const wire = pruneReportWire(project, pruned);
        report.removed.push(...wire.removed);
        report.kept.push(...wire.kept);
      }
      return context.json(report);
    });
}

/**
 * The project of `dir` (a folder in it), which must be a git repository; without `dir`, the
 * projects the daemon knows whose folders still exist.
 */
async function projectsOf(deps: WorktreeRouteDeps, dir: string | undefined): Promise<string[]> {
  if (dir === undefined || dir === "") {
    return (await deps.listProjects()).map((project) => project.root).filter((root) => existsSync(root));
  }
  const project = await resolveProject(dir);
  if (!project.git) {
    throw new CcaError(
      "not_a_repository",
      `${project.root} is not in a git repository, so its agents share the folder and have no worktrees`,
      { details: { project: project.root } },
    );
  }
  return [project.root];
}

/** Agents whose processes are up, on this daemon or (with a shared database) any: their worktrees are their folders. */
async function liveAgents(deps: WorktreeRouteDeps): Promise<Set<string>> {
  const here = deps.agents.list().filter((agent) => LIVE_AGENT_STATES.has(agent.state));
  // This daemon's own agents as it holds them; their records reach the database a little later.
  const directory = deps.agentDirectory;
  const everywhere = directory
    ? (await directory.repository.list()).filter(
        (agent) => agent.daemon !== directory.daemon && LIVE_AGENT_STATES.has(agent.state),
      )
    : [];
  return new Set([...here, ...everywhere].map((agent) => agent.id));
}

/** The project's top-level tasks queued or running. */
async function openTasks(orchestrator: Orchestrator, project: string): Promise<string[]> {
  const page = await orchestrator.list({ project, parent_id: null, status: ["queued", "running"], limit: 5 });
  return page.tasks.map((task) => task.id);
}

/** `read()`, or `none` for a project that is (no longer) a git repository. */
async function skipGone<T>(read: () => Promise<T>, none: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isGitError(error, "not_a_repository")) return none;
    throw error;
  }
}
