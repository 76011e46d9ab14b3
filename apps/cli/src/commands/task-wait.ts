import { type DaemonClient, isTerminalStatus, readTaskChanges, type Task } from "@cca/core";
import type { Argv } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES, exitCodeForTask } from "../exit-codes.js";
import { renderTaskDetail, renderTaskLine } from "../render.js";
import { resumeHint } from "../render-budget.js";
import { renderChangesSection } from "../render-changes.js";
import { followTaskTree } from "./task-watch.js";

/** Longest single long-poll: well below the 300 s after which Node's fetch gives up on an answer. */
const LONG_POLL_S = 30;

/**
 * Adds `--wait` (`-w`) and `--timeout` to a command that queues a task (`task create`,
 * `task resume`): follow it to its end, or give up after so many seconds.
 */
export function withWaitOptions<T>(yargs: Argv<T>) {
  return (
    yargs
      .option("wait", {
        alias: "w",
        type: "boolean",
        default: false,
        description:
          "Wait for the task to end; exit 4 if it fails or is cancelled, 7 if it pauses (a budget ran out)",
      })
      .option("timeout", {
        type: "number",
        description: "With --wait: give up waiting after this many seconds (exit 1; the task goes on)",
      })
      // A string returned from check() is a usage error (exit 2); a thrown error would not be.
      .check((argv) => {
        if (argv.timeout !== undefined && !(argv.timeout > 0)) {
          return `--timeout must be a positive number of seconds, not ${argv.timeout}.`;
        }
        if (argv.timeout !== undefined && !argv.wait) return "--timeout only applies with --wait.";
        return true;
      })
  );
}

/**
 * What `--wait` does once a task is queued (created, resumed, sent to an agent): live progress
 * (frames on a terminal, one line per event elsewhere; with `json`, nothing), then the ended
 * task as `task status` shows it, and its exit code; a paused task also says how to resume it.
 * `timeout` (seconds) gives up waiting, the task going on.
 */
export async function waitForTaskEnd(
  context: CommandContext,
  client: DaemonClient,
  task: Task,
  argv: { json: boolean; timeout?: number | undefined },
): Promise<number> {
  const deadline = argv.timeout === undefined ? undefined : Date.now() + argv.timeout * 1000;
  const waited = `after ${argv.timeout} s`;
  if (argv.json) {
    const followed = await followTask(client, task, { pollS: LONG_POLL_S, deadline, signal: context.signal });
    return reportFollowed(context, client, followed, true, waited);
  }
  context.print(renderTaskLine(task, context.renderOptions()));
  // Progress while it runs: the task and its parts live on a terminal, one line per event elsewhere.
  const followed = await followTaskTree(context, client, await client.getTaskTree(task.id), {
    show: context.isTerminal ? "frames" : "log",
    ...(deadline === undefined ? {} : { deadline }),
    clearAtEnd: true,
  });
  return reportFollowed(context, client, { task: followed.tree, outcome: followed.outcome }, false, waited);
}

/** How following a task ended: it ended (or paused), the deadline came first, or Ctrl-C. */
interface FollowedTask {
  task: Task;
  outcome: "ended" | "timed_out" | "interrupted";
}

/** Long-polls a task until it ends or pauses, the deadline passes or `signal` aborts. */
async function followTask(
  client: DaemonClient,
  initial: Task,
  options: { pollS: number; deadline?: number | undefined; signal: AbortSignal },
): Promise<FollowedTask> {
  let current = initial;
  while (!isTerminalStatus(current.status)) {
    const remainingS =
      options.deadline === undefined ? options.pollS : Math.ceil((options.deadline - Date.now()) / 1000);
    if (remainingS <= 0) return { task: current, outcome: "timed_out" };
    if (options.signal.aborted) return { task: current, outcome: "interrupted" };
    let next: Task;
    try {
      next = await client.waitForTask(current.id, Math.min(options.pollS, remainingS), options.signal);
    } catch (error) {
      if (options.signal.aborted) return { task: current, outcome: "interrupted" };
      throw error;
    }
    current = next;
  }
  return { task: current, outcome: "ended" };
}

async function reportFollowed(
  context: CommandContext,
  client: DaemonClient,
  followed: FollowedTask,
  json: boolean,
  waited: string,
): Promise<number> {
  const { task } = followed;
  if (followed.outcome === "ended") {
    if (json) context.printJson(task);
    else {
      const options = context.renderOptions();
      const changes = renderChangesSection(task, await readTaskChanges(client, task), options.width);
      context.print(`\n${[renderTaskDetail(task, options), changes].filter(Boolean).join("\n\n")}`);
    }
    if (task.status === "paused") context.warn(resumeHint(task));
    return exitCodeForTask(task);
  }
  const hint = `Follow it with \`cca task status ${task.id} --watch\`.`;
  if (followed.outcome === "interrupted") {
    context.warn(`Stopped waiting; task ${task.id} is still ${task.status}. ${hint}`);
    return EXIT_CODES.interrupted;
  }
  if (json) context.printJson(task);
  context.warn(`Gave up waiting ${waited}; task ${task.id} is still ${task.status}. ${hint}`);
  return EXIT_CODES.error;
}
