import { CcaError, type DaemonClient, type Task, type TaskTree } from "@cca/core";
import type { Argv } from "yargs";

/** Options every command accepts. */
export interface GlobalArgs {
  daemonUrl?: string;
}

/** Records the exit code a command handler decided on. */
export type SetExitCode = (code: number) => void;

/** Adds `--json` (print the daemon's wire objects as JSON) to a command. */
export function withJsonOption<T>(yargs: Argv<T>) {
  return yargs.option("json", {
    type: "boolean",
    default: false,
    description: "Print the daemon's answer as JSON (exactly the wire objects)",
  });
}

/**
 * A yargs check refusing named options that are not numbers of 0 or more. It returns the
 * complaint rather than throwing, which yargs reports as a usage error.
 */
export function nonNegativeNumbers(...names: string[]) {
  return (argv: Record<string, unknown>): string | true => {
    for (const name of names) {
      const value = argv[name];
      if (value !== undefined && !(typeof value === "number" && value >= 0)) {
        return `--${name} must be a number of 0 or more, not ${String(value)}.`;
      }
    }
    return true;
  };
}

/** Each task's tree; a task the daemon forgot between the list and its tree is left out. */
export async function loadTrees(client: DaemonClient, tasks: readonly Task[]): Promise<TaskTree[]> {
  const trees = await Promise.all(
    tasks.map((task) =>
      client.getTaskTree(task.id).catch((error: unknown) => {
        if (error instanceof CcaError && error.code === "task_not_found") return null;
        throw error;
      }),
    ),
  );
  return trees.filter((tree): tree is TaskTree => tree !== null);
}
