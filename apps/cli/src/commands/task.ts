import {
  CcaError,
  formatApplyResult,
  isTerminalStatus,
  readTaskChanges,
  TASK_STATUSES,
  type TaskStatus,
} from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { inTermsOfCli } from "../daemon-messages.js";
import { EXIT_CODES, exitCodeForError, exitCodeForTask } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderTaskLine, renderTaskTable } from "../render.js";
import { pausedTasksNote, resumeHint } from "../render-budget.js";
import { renderChangesSection } from "../render-changes.js";
import { renderTaskTreeList, renderTaskTreeStatus } from "../render-tree.js";
import { type GlobalArgs, loadTrees, type SetExitCode, withJsonOption } from "./shared.js";
import { createTaskCreateCommand } from "./task-create.js";
import { createTaskFeedbackCommand } from "./task-feedback.js";
import { TASK_ID_POSITIONAL } from "./task-id.js";
import { createTaskResumeCommand } from "./task-resume.js";
import { watchTaskTree } from "./task-watch.js";

/** How many tasks `task list` shows unless told (`--limit`), and the most the daemon lists at once. */
const DEFAULT_LIST_LIMIT = 20;
const MAX_LIST_LIMIT = 1000;

/**
 * `cca task create|status|list|cancel|resume|diff|apply|feedback`: hand work to the daemon,
 * follow it, resume it when a budget paused it, take its changes.
 */
export function createTaskCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  return {
    command: "task",
    describe: "Create, follow, list, cancel and resume tasks; see and apply what they changed",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(createTaskCreateCommand(context, setExitCode))
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
                "Where the task stands; exit 4 if it failed or was cancelled, 7 if it is paused",
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
          "Cancel a queued, running or paused task",
          (command) =>
            withJsonOption(command)
              .positional("id", TASK_ID_POSITIONAL)
              .example("$0 task cancel task_3f9c0a", "Stop work on the task"),
          async (argv) => setExitCode(await cancelTask(context, argv)),
        )
        .command(createTaskResumeCommand(context, setExitCode))
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
        .demandCommand(
          1,
          "Name a task command: create, status, list, cancel, resume, diff, apply or feedback.",
        ),
    handler: () => {},
  };
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
  if (tree.status === "paused") context.warn(resumeHint(tree));
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
  const pausedNote = pausedTasksNote(tasks);
  if (!argv.json && pausedNote) context.print(pausedNote);
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
