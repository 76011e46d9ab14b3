import { CcaError } from "../errors/cca-error.js";

/**
 * How long a task's entry waits, once the task ended, for its parts' entries to finish
 * (the daemon stops a task's parts when it ends). Past it, the attempt fails and the task
 * is handed out again later; its handler finds it ended, and the wait is tried again.
 */
export const PARTS_END_WAIT_MS = 15_000;

/** Why an ended task's entry could not finish yet. */
export function partsStillOpen(taskId: string, open: number): CcaError {
  return new CcaError(
    "internal",
    `Task ${taskId} has ended, but ${open} of its parts are still in line or running; its queue entry finishes once they have`,
  );
}
