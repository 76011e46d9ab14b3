/**
 * Why a git operation of CCA's was refused or failed:
 * - `not_a_repository`: the folder is not inside a git repository (or does not exist);
 * - `unknown_revision`: a commit, branch or base that does not resolve;
 * - `invalid_name`: a task, part or agent id that cannot be part of a branch or folder name;
 * - `branch_exists`: a branch to create already exists and points elsewhere;
 * - `path_taken`: a worktree's folder exists and is not a worktree of this project;
 * - `wrong_branch`: a worktree is not on the branch the operation works on;
 * - `dirty_worktree`: a worktree holds uncommitted changes or unmerged commits;
 * - `merge_conflict`: a merge would conflict (it was aborted, nothing changed);
 * - `apply_would_overwrite`: applying would overwrite the user's uncommitted or untracked files;
 * - `staged_changes`: applying needs a merge commit and the user's index has staged changes;
 * - `operation_in_progress`: the repository is in the middle of a merge, rebase, cherry-pick or revert;
 * - `detached_head`: HEAD is not on a branch, so there is nothing to apply onto;
 * - `git_timeout`: a git command ran past its deadline and was killed;
 * - `git_failed`: a git command failed otherwise (its command line, exit code and stderr are in `details`).
 */
export type GitErrorCode =
  | "not_a_repository"
  | "unknown_revision"
  | "invalid_name"
  | "branch_exists"
  | "path_taken"
  | "wrong_branch"
  | "dirty_worktree"
  | "merge_conflict"
  | "apply_would_overwrite"
  | "staged_changes"
  | "operation_in_progress"
  | "detached_head"
  | "git_timeout"
  | "git_failed";

/** The context of a GitError: what to act on. Only the fields that apply are set. */
export interface GitErrorDetails {
  /** The repository or worktree the operation ran in. */
  path?: string;
  /** The git command line, for `git_failed` and `git_timeout`. */
  command?: string[];
  exitCode?: number | null;
  stderr?: string;
  /** The files concerned: dirty, conflicting or in the way. */
  files?: string[];
  /** For `dirty_worktree`: commits on the worktree's branch that no other branch holds. */
  unmergedCommits?: number;
  branch?: string;
  [key: string]: unknown;
}

/**
 * A local error of the daemon's git layer, with a string `code` for programs and a message
 * that says what failed, on what, and what to do.
 */
export class GitError extends Error {
  readonly code: GitErrorCode;
  readonly details: GitErrorDetails;

  constructor(
    code: GitErrorCode,
    message: string,
    options: { cause?: unknown; details?: GitErrorDetails } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "GitError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Whether `error` is a GitError, optionally of the given code. */
export function isGitError(error: unknown, code?: GitErrorCode): error is GitError {
  return error instanceof GitError && (code === undefined || error.code === code);
}

/** Up to `shown` names for a message, then how many more. */
export function listed(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(", ");
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}
