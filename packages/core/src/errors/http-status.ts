import type { ErrorCode } from "./cca-error.js";

/** The HTTP status of each error code. Typed as a full record so a new code cannot go unmapped. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  payload_too_large: 413,
  unauthorized: 401,
  not_found: 404,
  task_not_found: 404,
  agent_not_found: 404,
  approval_not_found: 404,
  /** The approval was answered already, expired, or its agent stopped waiting. */
  approval_answered: 409,
  unknown_role: 400,
  task_finished: 409,
  agent_limit_reached: 503,
  /** `daemon.max_event_streams` event streams are open already. */
  too_many_streams: 503,
  shutting_down: 503,
  claude_not_found: 502,
  agent_spawn_failed: 502,
  agent_crashed: 502,
  agent_stopped: 502,
  api_error: 502,
  turn_failed: 502,
  task_cancelled: 409,
  timeout: 504,
  invalid_config: 500,
  daemon_unreachable: 503,
  /** PostgreSQL, PGlite or Redis does not answer; the message names which. */
  dependency_unavailable: 503,
  interrupted: 409,
  /** Apply (and what needs an ended task) on a task still queued or running. */
  task_not_ended: 409,
  /** Diff, changes or apply of a task whose agents shared the folder (or a part): it has no branch. */
  no_task_branch: 409,
  not_a_repository: 409,
  unknown_revision: 404,
  invalid_name: 400,
  branch_exists: 409,
  path_taken: 409,
  wrong_branch: 409,
  dirty_worktree: 409,
  merge_conflict: 409,
  apply_would_overwrite: 409,
  staged_changes: 409,
  operation_in_progress: 409,
  detached_head: 409,
  git_timeout: 504,
  git_failed: 500,
  internal: 500,
};
