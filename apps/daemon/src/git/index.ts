// The daemon's git layer: a worktree per agent, part branches merged into the task's branch
// `cca/<task id>`, what a task changed, and apply into the user's working tree.
// See docs/worktrees.md for the branch model.
export { type ApplyResult, type ApplyTaskOptions, applyTask } from "./apply-task.js";
export {
  assertSafeId,
  isTaskBranch,
  PART_BRANCH_PREFIX,
  partBranchName,
  TASK_BRANCH_PREFIX,
  taskBranchName,
} from "./branch-names.js";
export {
  type CommitPartOptions,
  type CommitPartResult,
  ccaIdentity,
  commitPart,
  PART_TRAILER,
  partCommitMessage,
  TASK_TRAILER,
} from "./commit-part.js";
export { type CopiedFiles, copyProjectFiles } from "./copy-files.js";
export { type DiffStat, diffStat, type FileChange, type FileChangeKind } from "./diff-stat.js";
export { freeBranch } from "./free-branch.js";
export { GitError, type GitErrorCode, type GitErrorDetails, isGitError } from "./git-error.js";
export {
  type AgentWorktree,
  agentWorktreePath,
  listAgentWorktrees,
  type WorktreeLocation,
  type WorktreeState,
} from "./list-worktrees.js";
export { CONFLICT_LIMITS, type ConflictFile, type MergeConflict } from "./merge-conflicts.js";
export {
  ensureAgentWorktree,
  type PreparedWorktree,
  type PrepareWorktreeOptions,
  prepareAgentWorktree,
} from "./prepare-worktree.js";
export { type PruneReport, pruneAgentWorktrees } from "./prune-worktrees.js";
export { repositoryRoot, resolveCommit } from "./repository.js";
export {
  createGitRunner,
  DEFAULT_GIT_TIMEOUT_MS,
  type GitResult,
  type GitRunner,
  type GitRunnerOptions,
  type GitRunOptions,
} from "./run-git.js";
export {
  createTaskBranch,
  type MergePartOptions,
  type MergePartResult,
  mergePart,
  PART_BRANCH_TRAILER,
  type TaskBranch,
} from "./task-branch.js";
export {
  type PartChanges,
  type TaskChanges,
  type TaskChangesOptions,
  taskChanges,
  taskDiff,
} from "./task-changes.js";
