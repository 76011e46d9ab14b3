import { CcaError, isTerminalStatus, type Task } from "@cca/core";
import { Hono } from "hono";
import { taskBranchName } from "../../git/index.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import { appliedNote } from "../../workspaces/applied-note.js";
import type { Workspaces } from "../../workspaces/workspaces.js";
import { applyResultWire, taskChangesWire } from "../git-wire.js";

/**
 * What a task's branch `cca/<task id>` holds and bringing it to the user:
 * `GET /tasks/:id/changes` (per part and in total), `GET /tasks/:id/diff` (the patch, as
 * text/plain) and `POST /tasks/:id/apply` (merge it into the project's current branch).
 * Only a top-level task in worktree mode has a branch; apply also needs it to have ended.
 * Git refusals keep their codes (409, with `details.files`), see errors.ts.
 */
export function taskWorkspaceRoutes(deps: { orchestrator: Orchestrator; workspaces: Workspaces }): Hono {
  const { orchestrator, workspaces } = deps;
  return new Hono()
    .get("/tasks/:id/changes", async (context) => {
      const task = withBranch(await orchestrator.get(context.req.param("id")), "changes");
      const changes = await workspaces.changes(task);
      if (!changes) throw noBranch(task, "changes");
      return context.json(taskChangesWire(task.id, changes));
    })
    .get("/tasks/:id/diff", async (context) => {
      const task = withBranch(await orchestrator.get(context.req.param("id")), "diff");
      const diff = await workspaces.diff(task);
      if (diff === null) throw noBranch(task, "diff");
      return context.text(diff, 200, { "content-type": "text/plain; charset=utf-8" });
    })
    .post("/tasks/:id/apply", async (context) => {
      const task = topLevel(await orchestrator.get(context.req.param("id")), "apply");
      if (!isTerminalStatus(task.status)) {
        throw new CcaError(
          "task_not_ended",
          `Task ${task.id} is still ${task.status}; apply its branch once it has ended (cca task status ${task.id} --watch follows it)`,
          { details: { task_id: task.id, status: task.status } },
        );
      }
      const branched = withBranch(task, "apply");
      const result = await workspaces.apply(branched);
      await orchestrator.recordApplied(task.id, appliedNote(result));
      const taskBranch = branched.workspace?.branch ?? taskBranchName(task.id);
      return context.json(applyResultWire(task.id, taskBranch, result));
    });
}

/** The task, if it is a top-level one (a part's changes are merged into its task's branch). */
function topLevel(task: Task, what: string): Task {
  if (task.parent_id !== null) {
    throw new CcaError(
      "bad_request",
      `Task ${task.id} is a part of task ${task.parent_id}; its changes are merged into that task's branch, so ask for the ${what} of ${task.parent_id}`,
      { details: { task_id: task.id, parent_id: task.parent_id } },
    );
  }
  return task;
}

/** The task, if it is one with a branch: top level, worktree mode, started. */
function withBranch(task: Task, what: string): Task & { project: string } {
  topLevel(task, what);
  if (task.status === "queued" && task.workspace?.isolation === "worktree") {
    throw new CcaError(
      "no_task_branch",
      `Task ${task.id} is still queued; its branch ${task.workspace.branch ?? taskBranchName(task.id)} is made when it starts`,
      { details: { task_id: task.id } },
    );
  }
  if (task.project === null || task.workspace?.isolation !== "worktree" || !task.workspace.base) {
    throw noBranch(task, what);
  }
  return task as Task & { project: string };
}

function noBranch(task: Task, what: string): CcaError {
  const why =
    task.project === null
      ? "was sent without a project folder"
      : `had its agents work in ${task.project} itself${task.workspace?.note ? ` (${task.workspace.note})` : ""}, so its changes are in that folder already`;
  const action = what === "apply" ? "apply" : `show the ${what} of`;
  return new CcaError("no_task_branch", `Task ${task.id} has no branch to ${action}: it ${why}`, {
    details: { task_id: task.id },
  });
}
