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
  teamUsage,
  totalTokens,
} from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES, exitCodeForError, exitCodeForTask } from "../exit-codes.js";
import { renderTaskDetail, renderTaskLine, renderTaskTable } from "../render.js";
import { renderChangesSection } from "../render-changes.js";
import { renderTaskTreeStatus } from "../render-tree.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";
import { watchTaskTree } from "./task-watch.js";

/** Longest single long-poll: well below the 300 s after which Node's fetch gives up on an answer. */
const LONG_POLL_S = 30;
/** Long-poll length while `--wait` prints progress, so changes short of the end show up promptly. */
const PROGRESS_POLL_S = 5;

/** `cca task create|status|list|cancel|diff|apply`: hand work to the daemon, follow it, take its changes. */
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
              .example("$0 task create --json Review the schema | jq -r .id", "Only the new task's id"),
          async (argv) => setExitCode(await createTask(context, argv)),
        )
        .command(
          "status <id>",
          "Show a task and its subtasks: status, agents, time, the team's tokens and cost, result or error, its branch and changed files",
          (command) =>
            withJsonOption(command)
              .positional("id", { type: "string", demandOption: true, description: "The task's id" })
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
          "List the daemon's tasks",
          (command) =>
            withJsonOption(command)
              .option("status", { choices: TASK_STATUSES, description: "Only tasks in this status" })
              .example("$0 task list", "Every task, one line each")
              .example("$0 task list --status running --json", "Running tasks as JSON"),
          async (argv) => setExitCode(await listTasks(context, argv)),
        )
        .command(
          "cancel <id>",
          "Cancel a queued or running task",
          (command) =>
            withJsonOption(command)
              .positional("id", { type: "string", demandOption: true, description: "The task's id" })
              .example("$0 task cancel task_3f9c0a", "Stop work on the task"),
          async (argv) => setExitCode(await cancelTask(context, argv)),
        )
        .command(
          "diff <id>",
          "Print the patch a task made: its branch cca/<id> against the commit it started from",
          (command) =>
            command
              .positional("id", { type: "string", demandOption: true, description: "The task's id" })
              .example("$0 task diff task_3f9c0a | less", "Read it")
              .example("$0 task diff task_3f9c0a | git apply --3way", "Take the patch yourself instead"),
          async (argv) => setExitCode(await showDiff(context, argv)),
        )
        .command(
          "apply <id>",
          "Merge an ended task's branch into the project's current branch, keeping your uncommitted changes",
          (command) =>
            withJsonOption(command)
              .positional("id", { type: "string", demandOption: true, description: "The task's id" })
              .epilog(
                "A fast-forward where your branch has not moved since the task started, else a merge commit made as you. " +
                  "It refuses, changing nothing, when it would overwrite uncommitted or untracked files, when it would " +
                  "conflict, with staged changes (for a merge commit), on a detached HEAD or during a merge or rebase; " +
                  "the message names the files (exit 6).",
              )
              .example("$0 task apply task_3f9c0a", "Take the team's work onto your branch"),
          async (argv) => setExitCode(await applyTask(context, argv)),
        )
        .demandCommand(1, "Name a task command: create, status, list, cancel, diff or apply."),
    handler: () => {},
  };
}

async function createTask(
  context: CommandContext,
  argv: GlobalArgs & {
    description: string[];
    priority?: TaskPriority;
    project?: string;
    wait: boolean;
    timeout?: number;
    json: boolean;
  },
): Promise<number> {
  const client = context.client(argv);
  const task = await client.createTask({
    description: argv.description.join(" ").trim(),
    ...(argv.priority ? { priority: argv.priority } : {}),
    project_dir: resolve(context.cwd, argv.project ?? "."),
  });
  if (!argv.wait) {
    if (argv.json) context.printJson(task);
    else context.print(renderTaskLine(task, context.renderOptions()));
    return EXIT_CODES.ok;
  }
  if (!argv.json) context.print(renderTaskLine(task, context.renderOptions()));
  const deadline = argv.timeout === undefined ? undefined : Date.now() + argv.timeout * 1000;
  const followed = await followTask(client, task, {
    pollS: argv.json ? LONG_POLL_S : PROGRESS_POLL_S,
    deadline,
    signal: context.signal,
    onChange: (changed) => {
      if (!argv.json && !isTerminalStatus(changed.status))
        context.print(renderTaskLine(changed, context.renderOptions()));
    },
  });
  return reportFollowed(context, client, followed, argv.json, `after ${argv.timeout} s`);
}

async function showTaskStatus(
  context: CommandContext,
  argv: GlobalArgs & { id: string; watch: boolean; json: boolean },
) {
  const client = context.client(argv);
  const tree = await client.getTaskTree(argv.id);
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
  context.writeRaw(await context.client(argv).taskDiff(argv.id));
  return EXIT_CODES.ok;
}

async function applyTask(context: CommandContext, argv: GlobalArgs & { id: string; json: boolean }) {
  try {
    const applied = await context.client(argv).applyTask(argv.id);
    if (argv.json) context.printJson(applied);
    else context.print(formatApplyResult(applied).join("\n"));
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof CcaError) || exitCodeForError(error) !== EXIT_CODES.refused) throw error;
    // A refusal: the daemon's message names the files (the first five) and what to do; nothing was changed.
    const files = Array.isArray(error.details.files) ? (error.details.files as unknown[]).map(String) : [];
    context.warn(`cca: ${error.message} (${error.code})`);
    if (files.length > 5) context.warn(`Files:\n${files.map((file) => `  ${file}`).join("\n")}`);
    return EXIT_CODES.refused;
  }
}

async function listTasks(context: CommandContext, argv: GlobalArgs & { status?: TaskStatus; json: boolean }) {
  const tasks = await context.client(argv).listTasks(argv.status ? { status: argv.status } : {});
  if (argv.json) context.printJson(tasks);
  else context.print(renderTaskTable(tasks, context.renderOptions()));
  return EXIT_CODES.ok;
}

async function cancelTask(context: CommandContext, argv: GlobalArgs & { id: string; json: boolean }) {
  const task = await context.client(argv).cancelTask(argv.id);
  if (argv.json) context.printJson(task);
  else context.print(`Cancelled: ${renderTaskLine(task, context.renderOptions())}`);
  return EXIT_CODES.ok;
}

/** How following a task ended: it ended, the deadline came first, or Ctrl-C. */
interface FollowedTask {
  task: Task;
  outcome: "ended" | "timed_out" | "interrupted";
}

/** Long-polls a task until it ends, the deadline passes or `signal` aborts, reporting each change. */
async function followTask(
  client: DaemonClient,
  initial: Task,
  options: { pollS: number; deadline?: number; signal: AbortSignal; onChange: (task: Task) => void },
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
    if (hasChanged(current, next)) options.onChange(next);
    current = next;
  }
  return { task: current, outcome: "ended" };
}

function hasChanged(before: Task, after: Task): boolean {
  return (
    before.status !== after.status ||
    before.agent_id !== after.agent_id ||
    totalTokens(teamUsage(before)) !== totalTokens(teamUsage(after))
  );
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
