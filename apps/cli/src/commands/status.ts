import { CcaError, type DaemonClient, isTerminalStatus, type TaskTree } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createFrameWriter } from "../live/frame-writer.js";
import { followLiveUpdates, pollEvery } from "../live/live-updates.js";
import { renderTeamStatus, type TeamStatus } from "../render-team.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** How often `--watch` looks again when no event comes (and a terminal's clocks move on). */
const WATCH_POLL_MS = 5_000;
/** How many of the newest tasks are searched for open top-level ones (the daemon's maximum). */
const TASK_SEARCH_LIMIT = 1000;

/** `cca status`: the team at a glance, once or live. */
export function createStatusCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs & { watch: boolean; json: boolean }> {
  return {
    command: "status",
    describe: "The team at a glance: the daemon, its agents, open tasks with their subtasks, recent activity",
    builder: (yargs: Argv<GlobalArgs>) =>
      withJsonOption(yargs)
        .option("watch", {
          type: "boolean",
          default: false,
          description: "Redraw on every change until Ctrl-C (with --json: one JSON line per change)",
        })
        .example("$0 status", "Who is doing what, and what it costs")
        .example("$0 status --watch", "The same, live")
        .example("$0 status --json | jq '.activity.agents[] | select(.state == \"busy\")'", "Busy agents"),
    handler: async (argv) => setExitCode(await showTeamStatus(context, argv)),
  };
}

async function showTeamStatus(context: CommandContext, argv: GlobalArgs & { watch: boolean; json: boolean }) {
  const client = context.client(argv);
  const url = context.locate(argv).url;
  let team = await loadTeamStatus(client);
  if (!argv.watch) {
    if (argv.json) context.printJson(team);
    else context.print(renderTeamStatus(team, url, context.renderOptions()));
    return EXIT_CODES.ok;
  }

  const frames = createFrameWriter({
    write: (text) => context.writeRaw(text),
    columns: () => context.renderOptions().width,
    isTerminal: context.isTerminal,
  });
  let lastKey = "";
  const show = () => {
    const key = changeKey(team);
    if (!argv.json) frames.show(renderTeamStatus(team, url, context.renderOptions()), key);
    else if (key !== lastKey) context.printJson(team, { compact: true });
    lastKey = key;
  };
  const stop = new AbortController();
  const updates = followLiveUpdates(client, {
    signal: AbortSignal.any([context.signal, stop.signal]),
    poll: pollEvery(WATCH_POLL_MS),
  });
  try {
    show();
    while (true) {
      await updates.next();
      if (context.signal.aborted) return EXIT_CODES.interrupted;
      updates.takeEvents();
      team = await loadTeamStatus(client);
      show();
    }
  } finally {
    stop.abort();
  }
}

/** What the daemon says about itself, its agents, and its running and queued top-level tasks. */
export async function loadTeamStatus(client: DaemonClient): Promise<TeamStatus> {
  const [daemon, activity, tasks] = await Promise.all([
    client.status(),
    client.activity(),
    client.listTasks({ limit: TASK_SEARCH_LIMIT }),
  ]);
  const open = tasks.filter((task) => task.parent_id === null && !isTerminalStatus(task.status));
  const trees = await Promise.all(
    open.map((task) =>
      client.getTaskTree(task.id).catch((error: unknown) => {
        // A task can vanish between the list and the tree (the daemon forgets old ones).
        if (error instanceof CcaError && error.code === "task_not_found") return null;
        throw error;
      }),
    ),
  );
  return { daemon, activity, tasks: trees.filter((tree): tree is TaskTree => tree !== null) };
}

/** The team status without what changes by itself (the uptime), to tell a real change. */
function changeKey(team: TeamStatus): string {
  return JSON.stringify({ ...team, daemon: { ...team.daemon, uptime_s: 0 } });
}
