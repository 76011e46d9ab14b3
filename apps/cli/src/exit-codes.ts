import { CcaError, type ErrorCode, type Task } from "@cca/core";

/** The exit codes `cca` promises to scripts. */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: 2,
  daemonUnreachable: 3,
  taskFailed: 4,
  notFound: 5,
  refused: 6,
  taskPaused: 7,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit-code table as it appears in `cca --help` and the README. */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0    ok",
  "  1    error (including a --wait/--watch that gave up before the task ended)",
  "  2    usage error (unknown command or option, missing or bad argument)",
  "  3    daemon unreachable (not running, or not at --daemon-url)",
  "  4    task failed, was cancelled or interrupted (task create --wait, task resume --wait,",
  "       task status)",
  "  5    not found (no task or agent with that id)",
  "  6    refused, nothing changed (task apply would overwrite your changes or conflict;",
  "       the task has no branch, or has not ended; task resume of a task that is not",
  "       paused, or that a budget would pause again at once)",
  "  7    task paused: a budget ran out, and it waits for `cca task resume <id>`",
  "       (task create --wait, task resume --wait, task status)",
  "  130  interrupted (Ctrl-C)",
].join("\n");

const EXIT_CODE_BY_ERROR_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  daemon_unreachable: EXIT_CODES.daemonUnreachable,
  not_found: EXIT_CODES.notFound,
  task_not_found: EXIT_CODES.notFound,
  agent_not_found: EXIT_CODES.notFound,
  approval_not_found: EXIT_CODES.notFound,
  task_cancelled: EXIT_CODES.taskFailed,
  no_task_branch: EXIT_CODES.refused,
  task_not_ended: EXIT_CODES.refused,
  apply_would_overwrite: EXIT_CODES.refused,
  merge_conflict: EXIT_CODES.refused,
  staged_changes: EXIT_CODES.refused,
  operation_in_progress: EXIT_CODES.refused,
  detached_head: EXIT_CODES.refused,
  task_not_paused: EXIT_CODES.refused,
  budget_exhausted: EXIT_CODES.refused,
};

/** A command line that yargs (or a command's own check) refused. */
export class UsageError extends Error {
  /** The help text of the command that was misused, shown under the message. */
  readonly help: string;

  constructor(message: string, help = "") {
    super(message);
    this.name = "UsageError";
    this.help = help;
  }
}

/** The exit code for anything a command throws. */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (error instanceof CcaError) return EXIT_CODE_BY_ERROR_CODE[error.code] ?? EXIT_CODES.error;
  return EXIT_CODES.error;
}

/**
 * 4 for a task that failed, was cancelled or was interrupted; 7 for one paused (neither done
 * nor failed: it goes on when resumed); else 0.
 */
export function exitCodeForTask(task: Task): ExitCode {
  switch (task.status) {
    case "failed":
    case "cancelled":
    case "interrupted":
      return EXIT_CODES.taskFailed;
    case "paused":
      return EXIT_CODES.taskPaused;
    case "queued":
    case "running":
    case "completed":
      return EXIT_CODES.ok;
  }
}
