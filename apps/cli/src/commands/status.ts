import type { DaemonClient } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createFrameWriter } from "../live/frame-writer.js";
import { followLiveUpdates, pollEvery } from "../live/live-updates.js";
import { renderTeamStatus, type TeamStatus } from "../render-team.js";
import { type GlobalArgs, loadTrees, type SetExitCode, withJsonOption } from "./shared.js";

/** How often `--watch` looks again when no event comes. */
const WATCH_POLL_MS = 5_000;
/** How many open top-level tasks are shown at most (the daemon's largest page). */
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
  let loadedAt = context.now().getTime();
  if (!argv.watch) {
    if (argv.json) context.printJson(team);
    else context.print(renderTeamStatus(team, url, context.renderOptions()));
    return EXIT_CODES.ok;
  }

  const frames = createFrameWriter({
    write: (text) => context.writeRaw(text),
    columns: () => context.renderOptions().width,
    rows: () => context.terminalRows(),
    isTerminal: context.isTerminal,
  });
  let lastKey = "";
  const show = () => {
    const key = changeKey(team);
    if (!argv.json) frames.show(renderTeamStatus(ticked(team, loadedAt), url, context.renderOptions()), key);
    else if (key !== lastKey) context.printJson(team, { compact: true });
    lastKey = key;
  };
  const stop = new AbortController();
  const updates = followLiveUpdates(client, {
    signal: AbortSignal.any([context.signal, stop.signal]),
    poll: pollEvery(WATCH_POLL_MS),
  });
  // Between events, a terminal's frame still moves on: uptime, running times and ages tick.
  const stopTicking = !argv.json && context.isTerminal ? context.everySecond(show) : () => {};

  function ticked(loaded: TeamStatus, at: number): TeamStatus {
    const elapsedS = Math.max(0, (context.now().getTime() - at) / 1000);
    return { ...loaded, daemon: { ...loaded.daemon, uptime_s: loaded.daemon.uptime_s + elapsedS } };
  }
  try {
    show();
    while (true) {
      await updates.next();
      if (context.signal.aborted) return EXIT_CODES.interrupted;
      updates.takeEvents();
      team = await loadTeamStatus(client);
      loadedAt = context.now().getTime();
      show();
    }
  } finally {
    stopTicking();
    stop.abort();
  }
}

/**
 * What the daemon says about itself, its agents, and its open top-level tasks: running,
 * queued, and paused (they wait for someone to resume them).
 */
export async function loadTeamStatus(client: DaemonClient): Promise<TeamStatus> {
  const [daemon, activity, open] = await Promise.all([
    client.status(),
    client.activity(),
    client.listTasks({ parent: "none", status: ["running", "queued", "paused"], limit: TASK_SEARCH_LIMIT }),
  ]);
  return { daemon, activity, tasks: await loadTrees(client, open) };
}

/** The team status without what changes by itself (the uptime), to tell a real change. */
function changeKey(team: TeamStatus): string {
  return JSON.stringify({ ...team, daemon: { ...team.daemon, uptime_s: 0 } });
}
