/** Every error code CCA gives a caller. Adding one here forces an HTTP status for it (see http-status.ts). */
export const ERROR_CODES = [
  "bad_request",
  "invalid_json",
  "payload_too_large",
  "unauthorized",
  "not_found",
  "task_not_found",
  "agent_not_found",
  "approval_not_found",
  "approval_answered",
  "unknown_role",
  "task_finished",
  "agent_limit_reached",
  "too_many_streams",
  "shutting_down",
  "claude_not_found",
  "agent_spawn_failed",
  "agent_crashed",
  "agent_stopped",
  "api_error",
  "turn_failed",
  "task_cancelled",
  "timeout",
  "invalid_config",
  "daemon_unreachable",
  "dependency_unavailable",
  "interrupted",
  "task_not_ended",
  "task_not_paused",
  "budget_exhausted",
  "rate_limited",
  "no_task_branch",
  // The daemon's git layer (see docs/worktrees.md): refusals name the files in `details.files`.
  "not_a_repository",
  "unknown_revision",
  "invalid_name",
  "branch_exists",
  "path_taken",
  "wrong_branch",
  "dirty_worktree",
  "merge_conflict",
  "apply_would_overwrite",
  "staged_changes",
  "operation_in_progress",
  "detached_head",
  "git_timeout",
  "git_failed",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether a string is one of CCA's error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A CCA error: a stable `code` for programs, a message that says what failed and what to do,
 * and the context needed to act on it.
 */
export class CcaError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CcaError";
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The wire form: `{ code, message }`. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into a CcaError, keeping the original as `cause`. */
export function toCcaError(error: unknown): CcaError {
  if (error instanceof CcaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CcaError("internal", message, { cause: error });
}
