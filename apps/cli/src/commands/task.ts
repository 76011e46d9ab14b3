import { resolve } from "node:path";
import {
  CcaError,
  type DaemonClient,
  formatApplyResult,
  isTerminalStatus,
  readTaskChanges,
  TASK_PRIORITIES,
  TASK_STATUSES,
  type Task,
  type TaskPriority,
  type TaskStatus,
} from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { inTermsOfCli } from "../daemon-messages.js";
import { EXIT_CODES, exitCodeForError, exitCodeForTask } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderTaskDetail, renderTaskLine, renderTaskTable } from "../render.js";
import { renderChangesSection } from "../render-changes.js";
import { renderTaskTreeList, renderTaskTreeStatus } from "../render-tree.js";
import { type GlobalArgs, loadTrees, type SetExitCode, withJsonOption } from "./shared.js";
import { createTaskFeedbackCommand } from "./task-feedback.js";
import { TASK_ID_POSITIONAL } from "./task-id.js";
import { followTaskTree, watchTaskTree } from "./task-watch.js";

/** Longest single long-poll: well below the 300 s after which Node's fetch gives up on an answer. */
const LONG_POLL_S = 30;
/** How many tasks `task list` shows unless told (`--limit`), and the most the daemon lists at once. */
const DEFAULT_LIST_LIMIT = 20;
const MAX_LIST_LIMIT = 1000;

/** `cca task create|status|list|cancel|diff|apply|feedback`: hand work to the daemon, follow it, take its changes. */
export function createTaskCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  return {
    command: "task",
    describe: "Create, follow, list and cancel tasks; see and apply what they changed",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "create <description..>",
          "Hand a task to the daemon's Coordinator",
          (command) =>
            withJsonOption(command)
              .positional("description", {
                type: "string",
                array: true,
                demandOption: true,
                // An explicit undefined keeps yargs from advertising "[default: []]".
                default: undefined,
                description: "What to do (the words are joined with spaces)",
              })
              .option("priority", {
                alias: "p",
                choices: TASK_PRIORITIES,
                description: "Task priority (the daemon's default is normal)",
              })
              .option("project", {
                type: "string",
                requiresArg: true,
                defaultDescription: "the current folder",
                description:
                  "The project folder the task is about; the daemon works on its git repository (or the folder)",
              })
              .option("role", {
                type: "string",
                requiresArg: true,
                description:
                  "Send it straight to an agent of this role (e.g. backend), without the Coordinator",
              })
              .option("wait", {
                alias: "w",
                type: "boolean",
                default: false,
                description: "Wait for the task to end; exit 4 if it fails or is cancelled",
              })
              .option("timeout", {
                type: "number",
                description:
                  "With --wait: give up waiting after this many seconds (exit 1; the task goes on)",
              })
              // A string returned from check() is a usage error (exit 2); a thrown error would not be.
              .check((argv) => {
                if (argv.description.join(" ").trim() === "") return "The description must not be empty.";
                if (argv.timeout !== undefined && !(argv.timeout > 0)) {
                  return `--timeout must be a positive number of seconds, not ${argv.timeout}.`;
                }
                if (argv.timeout !== undefined && !argv.wait) return "--timeout only applies with --wait.";
                return true;
              })
              .example('$0 task create "Add a /health endpoint"', "Queue a task and print its id")
              .example(
                "$0 task create --wait --priority high Fix the failing login test",
                "Run it and print the result",
              )
              .example("$0 task create --project ../shop Add a cart", "A task on another project")
              .example("$0 task create --role qa --wait Run the test suite", "One specialist, no Coordinator")
              .example("$0 task create --json Review the schema | jq -r .id", "Only the new task's id"),
          async (argv) => setExitCode(await createTask(context, argv)),
        )
        .command(
          "status <id>",
          "Show a task and its subtasks: status, agents, time, the team's tokens and cost, result or error, its branch and changed files",
          (command) =>
            withJsonOption(command)
              .positional("id", TASK_ID_POSITIONAL)
              .option("watch", {
                type: "boolean",
                default: false,
                description:
                  "Show the tree live, with each running agent's latest activity, until the task ends (with --json: one JSON line per change)",
              })
              .example(
                "$0 task status task_3f9c0a",
                "Where the task stands; exit 4 if it failed or was cancelled",
              )
              .example("$0 task status task_3f9c0a --watch", "Follow it and its subtasks to the end")
              .example(
                "$0 task status task_3f9c0a --json | jq '.subtasks[] | {agent_id, status}'",
                "Who works on which part",
              ),
          async (argv) => setExitCode(await showTaskStatus(context, argv)),
        )
        .command(
          "list",
          "List the daemon's tasks, newest first: top-level tasks with their parts count (--tree: the parts too)",
          (command) =>
            withJsonOption(command)
              .option("status", {
                choices: TASK_STATUSES,
                description: "Only tasks in this status (filtered by the daemon, before --limit)",
              })
              .option("limit", {
                type: "number",
                default: DEFAULT_LIST_LIMIT,
                description: `At most this many tasks (1–${MAX_LIST_LIMIT})`,
              })
              .option("tree", {
                type: "boolean",
                default: false,
                description: "Show each task's parts below it (with --json: the task trees)",
              })
              .check((argv) =>
                Number.isInteger(argv.limit) && argv.limit >= 1 && argv.limit <= MAX_LIST_LIMIT
                  ? true
                  : `--limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, not ${argv.limit}.`,
              )
              .example("$0 task list", `The newest ${DEFAULT_LIST_LIMIT} tasks, one line each`)
              .example("$0 task list --tree", "The same, each with its parts below it")
              .example("$0 task list --status failed --limit 100", "The last 100 failed tasks")
              .example("$0 task list --status running --json", "Running tasks as JSON"),
          async (argv) => setExitCode(await listTasks(context, argv)),
        )
        .command(
          "cancel <id>",
          "Cancel a queued or running task",
          (command) =>
            withJsonOption(command)
              .positional("id", TASK_ID_POSITIONAL)
              .example("$0 task cancel task_3f9c0a", "Stop work on the task"),
          async (argv) => setExitCode(await cancelTask(context, argv)),
        )
        .command(
          "diff <id>",
          "Print the patch a task made: its branch cca/<id> against the commit it started from",
          (command) =>
            command
              .positional("id", TASK_ID_POSITIONAL)
              .example("$0 task diff task_3f9c0a | less", "Read it")
              .example("$0 task diff task_3f9c0a | git apply --3way", "Take the patch yourself instead"),
          async (argv) => setExitCode(await showDiff(context, argv)),
        )
        .command(
          "apply <id>",
          "Merge an ended task's branch into the project's current branch, keeping your uncommitted changes",
          (command) =>
            withJsonOption(command)
              .positional("id", TASK_ID_POSITIONAL)
              .epilog(
                "A fast-forward where your branch has not moved since the task started, else a merge commit made as you. " +
                  "It refuses, changing nothing, when it would overwrite uncommitted or untracked files, when it would " +
                  "conflict, with staged changes (for a merge commit), on a detached HEAD or during a merge or rebase; " +
                  "the message names the files (exit 6).",
              )
              .example("$0 task apply task_3f9c0a", "Take the team's work onto your branch"),
          async (argv) => setExitCode(await applyTask(context, argv)),
        )
        .command(createTaskFeedbackCommand(context, setExitCode))
        .demandCommand(1, "Name a task command: create, status, list, cancel, diff, apply or feedback."),
    handler: () => {},
  };
}

async function createTask(
  context: CommandContext,
  argv: GlobalArgs & {
    description: string[];
    priority?: TaskPriority;
    project?: string;
    role?: string;
    wait: boolean;
    timeout?: number;
    json: boolean;
  },
): Promise<number> {
  const client = context.client(argv);
  const task = await client.createTask({
    description: argv.description.join(" ").trim(),
    ...(argv.priority ? { priority: argv.priority } : {}),
    ...(argv.role ? { role: argv.role } : {}),
    project_dir: resolve(context.cwd, argv.project ?? "."),
  });
  if (!argv.wait) {
    if (argv.json) context.printJson(task);
    else context.print(renderTaskLine(task, context.renderOptions()));
    return EXIT_CODES.ok;
  }
  return waitForCreatedTask(context, client, task, argv);
}

/**
 * What `task create --wait` does once the task is created: live progress (frames on a
 * terminal, one line per event elsewhere; with `json`, nothing), then the ended task as
 * `task status` shows it, and its exit code. `timeout` (seconds) gives up waiting, the task
 * going on.
 */
export async function waitForCreatedTask(
  context: CommandContext,
  client: DaemonClient,
  task: Task,
  argv: { json: boolean; timeout?: number },
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

async function showTaskStatus(
  context: CommandContext,
  argv: GlobalArgs & { id: string; watch: boolean; json: boolean },
) {
  const client = context.client(argv);
  const tree = await client.getTaskTree(await createIdResolver(client).task(argv.id));
  if (argv.watch && !isTerminalStatus(tree.status)) return watchTaskTree(context, client, tree, argv.json);
  if (argv.json) context.printJson(tree, { compact: argv.watch });
  else {
    const options = context.renderOptions();
    const changes = renderChangesSection(tree, await readTaskChanges(client, tree), options.width);
    context.print([renderTaskTreeStatus(tree, options), changes].filter(Boolean).join("\n\n"));
  }
  return exitCodeForTask(tree);
}

async function showDiff(context: CommandContext, argv: GlobalArgs & { id: string }) {
  // The patch as git prints it, nothing added, so that it can be piped on.
  const client = context.client(argv);
  context.writeRaw(await client.taskDiff(await createIdResolver(client).task(argv.id)));
  return EXIT_CODES.ok;
}

async function applyTask(context: CommandContext, argv: GlobalArgs & { id: string; json: boolean }) {
  try {
    const client = context.client(argv);
    const applied = await client.applyTask(await createIdResolver(client).task(argv.id));
    if (argv.json) context.printJson(applied);
    else context.print(formatApplyResult(applied).join("\n"));
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof CcaError) || exitCodeForError(error) !== EXIT_CODES.refused) throw error;
    // A refusal: the daemon's message names the files (the first five) and what to do; nothing was changed.
    const files = Array.isArray(error.details.files) ? (error.details.files as unknown[]).map(String) : [];
    context.warn(`cca: ${inTermsOfCli(error.message)} (${error.code})`);
    if (files.length > 5) context.warn(`Files:\n${files.map((file) => `  ${file}`).join("\n")}`);
    return EXIT_CODES.refused;
  }
}

async function listTasks(
  context: CommandContext,
  argv: GlobalArgs & { status?: TaskStatus; limit: number; tree: boolean; json: boolean },
) {
  const client = context.client(argv);
  const tasks = await client.listTasks({
    parent: "none",
    limit: argv.limit,
    ...(argv.status ? { status: argv.status } : {}),
  });
  if (argv.tree) {
    const trees = await loadTrees(client, tasks);
    if (argv.json) context.printJson(trees);
    else context.print(renderTaskTreeList(trees, context.renderOptions()));
  } else if (argv.json) context.printJson(tasks);
  else context.print(renderTaskTable(tasks, context.renderOptions()));
  if (!argv.json && tasks.length === argv.limit) {
    context.print(
      `The newest ${argv.limit}; \`--limit ${Math.min(MAX_LIST_LIMIT, argv.limit * 5)}\` shows more.`,
    );
  }
  return EXIT_CODES.ok;
}

async function cancelTask(context: CommandContext, argv: GlobalArgs & { id: string; json: boolean }) {
  const client = context.client(argv);
  const task = await client.cancelTask(await createIdResolver(client).task(argv.id));
  if (argv.json) context.printJson(task);
  else context.print(`Cancelled: ${renderTaskLine(task, context.renderOptions())}`);
  return EXIT_CODES.ok;
}

/** How following a task ended: it ended, the deadline came first, or Ctrl-C. */
interface FollowedTask {
  task: Task;
  outcome: "ended" | "timed_out" | "interrupted";
}

/** Long-polls a task until it ends, the deadline passes or `signal` aborts. */
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
