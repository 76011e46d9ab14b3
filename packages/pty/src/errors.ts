/** Every code a PtyError carries. */
export const PTY_ERROR_CODES = [
  "invalid_argument",
  "command_not_found",
  "cwd_not_found",
  "spawn_failed",
  "process_exited",
  "timeout",
  "kill_timeout",
  "disposed",
] as const;

export type PtyErrorCode = (typeof PTY_ERROR_CODES)[number];

/**
 * A local error of `@cca/pty`: a stable `code` for programs, a message that says what failed and
 * what to do, and the context to act on it (`pid`, `command`, `cwd`, …) in `details`.
 */
export class PtyError extends Error {
  readonly code: PtyErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: PtyErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "PtyError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Whether `error` is a PtyError, optionally with the given code. */
export function isPtyError(error: unknown, code?: PtyErrorCode): error is PtyError {
  return error instanceof PtyError && (code === undefined || error.code === code);
}
