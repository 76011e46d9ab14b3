import { z } from "zod";
import type { Task } from "./schemas.js";

// What a task's branch changed, what applying it did, and the agents' worktrees, as the
// daemon's HTTP API answers them (`/tasks/:id/changes`, `/tasks/:id/apply`, `/worktrees`).

/** How a file changed, from git's one-letter status. */
export const FILE_CHANGE_KINDS = [
  "added",
  "modified",
  "deleted",
  "renamed",
  "copied",
  "type_changed",
] as const;

/** One changed file with its line counts (zero for a binary file). */
export const FileChangeSchema = z.object({
  path: z.string(),
  /** For a rename or copy: the path it came from. */
  from_path: z.string().nullable().default(null),
  kind: z.enum(FILE_CHANGE_KINDS),
  insertions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean(),
});
export type FileChange = z.infer<typeof FileChangeSchema>;

/** A diffstat: the changed files and their totals. */
export const DiffStatSchema = z.object({
  files: z.array(FileChangeSchema),
  insertions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
});
export type DiffStat = z.infer<typeof DiffStatSchema>;

/** What one merged part brought into its task's branch. */
export const PartChangesSchema = z.object({
  /** The part (a subtask's id), from its branch `cca-parts/<task id>/<part id>`; null for a branch CCA did not name. */
  part_id: z.string().nullable(),
  branch: z.string(),
  merge_commit: z.string(),
  stat: DiffStatSchema,
});
export type PartChanges = z.infer<typeof PartChangesSchema>;

/** `GET /api/v1/tasks/:id/changes`: what the task's branch changed against its base, per part and in total. */
export const TaskChangesSchema = z.object({
  task_id: z.string(),
  branch: z.string(),
  base: z.string(),
  head: z.string(),
  /** In the order they were merged. */
  parts: z.array(PartChangesSchema),
  /** The branch against its base: every part, and fixes made on the branch itself. */
  total: DiffStatSchema,
});
export type TaskChanges = z.infer<typeof TaskChangesSchema>;

/** `POST /api/v1/tasks/:id/apply`: what merging the task's branch did to the user's branch. */
export const ApplyResultSchema = z.object({
  task_id: z.string(),
  /** The task's branch that was applied. */
  task_branch: z.string(),
  /** The user's branch it was merged into. */
  branch: z.string(),
  previous_head: z.string(),
  head: z.string(),
  /** True when the branch only moved forward (no merge commit). */
  fast_forward: z.boolean(),
  /** True when the branch held the task's work already: nothing changed. */
  up_to_date: z.boolean(),
  /** The files the apply changed in the user's tree. */
  changes: DiffStatSchema,
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

/**
 * What an agent's worktree holds: `clean` (may be reused or removed), `uncommitted` (changed
 * or untracked files, or an operation in progress), `unmerged` (commits no other branch
 * holds), or `missing` (git knows it but its folder is gone).
 */
export const WORKTREE_STATES = ["clean", "uncommitted", "unmerged", "missing"] as const;

/** One agent's git worktree of a project (`GET /api/v1/worktrees`). */
export const WorktreeSchema = z.object({
  /** The project's repository root. */
  project: z.string(),
  agent_id: z.string(),
  path: z.string(),
  /** The branch checked out there; null when HEAD is detached. */
  branch: z.string().nullable(),
  head: z.string(),
  base: z.string().nullable(),
  state: z.enum(WORKTREE_STATES),
  /** Paths with uncommitted changes. */
  uncommitted_files: z.array(z.string()),
  /** Commits since its base that no other branch holds. */
  unmerged_commits: z.number().int().nonnegative(),
  /** A merge, rebase, cherry-pick or revert it is in the middle of. */
  operation: z.string().nullable(),
});
export type Worktree = z.infer<typeof WorktreeSchema>;

/** `POST /api/v1/worktrees/prune`: the worktrees removed, and the ones kept with why. */
export const WorktreePruneReportSchema = z.object({
  /** Clean worktrees removed, and ones whose folder was gone already (forgotten by git). */
  removed: z.array(WorktreeSchema),
  kept: z.array(z.object({ worktree: WorktreeSchema, reason: z.string() })),
});
export type WorktreePruneReport = z.infer<typeof WorktreePruneReportSchema>;

/** `POST /api/v1/worktrees/prune` body: one project (a folder in it), or every project the daemon knows. */
export const WorktreePruneRequestSchema = z.object({
  project: z.string({ error: "project must be a string: an absolute path" }).min(1).optional(),
});

/**
 * Whether the task has a branch `cca/<task id>` to show and apply: a top-level task, past
 * queued, whose agents each worked in a worktree.
 */
export function hasTaskBranch(task: Task): boolean {
  return (
    task.parent_id === null &&
    task.status !== "queued" &&
    task.workspace?.isolation === "worktree" &&
    task.workspace.base !== null
  );
}
