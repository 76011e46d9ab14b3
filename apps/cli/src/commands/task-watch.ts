import {
  type ActivityEvent,
  type DaemonClient,
  isTerminalStatus,
  readTaskChanges,
  type TaskTree,
} from "@cca/core";
import type { CommandContext } from "../context.js";
import { EXIT_CODES, exitCodeForTask } from "../exit-codes.js";
import { truncateLine, truncateToWidth } from "../layout/text-width.js";
import { createFrameWriter } from "../live/frame-writer.js";
import { followLiveUpdates } from "../live/live-updates.js";
import { resumeHint } from "../render-budget.js";
import { renderChangesSection } from "../render-changes.js";
import { flattenTree, renderTaskTreeStatus, runningActivity } from "../render-tree.js";

/** Long-poll length of the fallback poll while watching, so a missed event costs at most this long. */
const WATCH_POLL_S = 5;

/** How following a task tree ended: the task ended (or paused), the deadline came first, or Ctrl-C. */
export interface FollowedTree {
  tree: TaskTree;
  outcome: "ended" | "timed_out" | "interrupted";
}

/** How `followTaskTree` shows progress. */
export interface FollowTreeOptions {
  /**
   * `frames`: the tree live, with each running agent's latest activity (redrawn in place on a
   * terminal, times ticking each second; one frame per change elsewhere). `log`: one line per
   * event about the tree, for a log file. `json`: one JSON line per change of the tree.
   */
  show: "frames" | "log" | "json";
  /** When to give up following (ms since the epoch). */
  deadline?: number;
  /** On a terminal, erase the last frame when done (a report takes its place). */
  clearAtEnd?: boolean;
}

/**
 * Follows a task tree until the task ends or pauses, the deadline passes or Ctrl-C, showing its progress.
 * Looks again on each event about the tree's tasks or agents, and whenever a long poll of the
 * task answers.
 */
export async function followTaskTree(
  context: CommandContext,
  client: DaemonClient,
  initial: TaskTree,
  options: FollowTreeOptions,
): Promise<FollowedTree> {
  let tree = initial;
  const latestByAgent = new Map<string, ActivityEvent>();
  const remember = (events: readonly ActivityEvent[]) => {
    for (const event of events) if (event.agent_id) latestByAgent.set(event.agent_id, event);
  };
  if (options.show === "frames") remember((await client.activity()).recent);

  const frames = createFrameWriter({
    write: (text) => context.writeRaw(text),
    columns: () => context.renderOptions().width,
    rows: () => context.terminalRows(),
    isTerminal: context.isTerminal,
  });
  let lastJson = "";
  const statuses = new Map<string, string>();
  const show = (events: readonly ActivityEvent[] = []) => {
    if (options.show === "json") {
      const line = JSON.stringify(tree);
      if (line !== lastJson) context.writeRaw(`${line}\n`);
      lastJson = line;
    } else if (options.show === "log") {
      const renderOptions = context.renderOptions();
      const lines: string[] = [];
      for (const task of flattenTree(tree)) {
        if (statuses.size > 0 && statuses.get(task.id) !== task.status)
          lines.push(`task ${task.id} ${task.status}`);
        statuses.set(task.id, task.status);
      }
      lines.push(
        ...events
          .filter((event) => concernsTree(tree, event))
          .map((event) => truncateLine(event.summary, renderOptions.width)),
      );
      const clock = renderOptions.now.toISOString().slice(11, 19);
      for (const line of lines) context.print(truncateToWidth(`${clock}  ${line}`, renderOptions.width));
    } else {
      const frame = renderTaskTreeStatus(tree, { ...context.renderOptions(), activity: latestByAgent });
      frames.show(frame, JSON.stringify([tree, runningActivity(tree, latestByAgent)]));
    }
  };

  const stop = new AbortController();
  const deadline =
    options.deadline === undefined
      ? undefined
      : AbortSignal.timeout(Math.max(0, options.deadline - Date.now()));
  const updates = followLiveUpdates(client, {
    signal: AbortSignal.any([context.signal, stop.signal, ...(deadline ? [deadline] : [])]),
    poll: async (signal) =>
      !isTerminalStatus((await client.waitForTask(tree.id, WATCH_POLL_S, signal)).status),
    relevant: (event) => isAboutTree(tree, event),
  });
  // Between events, a terminal's frame still moves on: running times and ages tick.
  const stopTicking =
    options.show === "frames" && context.isTerminal ? context.everySecond(() => show()) : () => {};
  try {
    show();
    while (!isTerminalStatus(tree.status)) {
      await updates.next();
      if (context.signal.aborted) return { tree, outcome: "interrupted" };
      if (deadline?.aborted) return { tree, outcome: "timed_out" };
      const events = updates.takeEvents();
      remember(events);
      tree = await client.getTaskTree(tree.id);
      show(events);
    }
    return { tree, outcome: "ended" };
  } finally {
    stopTicking();
    stop.abort();
    if (options.clearAtEnd) frames.clear();
  }
}

/**
 * `cca task status <id> --watch`: shows the task tree, and again each time it changes, until
 * the task ends or pauses; then what its branch holds (and how to resume a paused task).
 * Resolves to the exit code (4 if the task failed or was cancelled, 7 if it paused, 130 on
 * Ctrl-C).
 */
export async function watchTaskTree(
  context: CommandContext,
  client: DaemonClient,
  initial: TaskTree,
  json: boolean,
): Promise<number> {
  const { tree, outcome } = await followTaskTree(context, client, initial, {
    show: json ? "json" : "frames",
  });
  if (outcome !== "ended") {
    context.warn(
      `Stopped watching; task ${tree.id} is still ${tree.status}. Follow it with \`cca task status ${tree.id} --watch\`.`,
    );
    return EXIT_CODES.interrupted;
  }
  if (!json) {
    // What the ended task's branch holds, once, under the last frame.
    const changes = renderChangesSection(
      tree,
      await readTaskChanges(client, tree),
      context.renderOptions().width,
    );
    if (changes) context.print(`\n${changes}`);
  }
  if (tree.status === "paused") context.warn(resumeHint(tree));
  return exitCodeForTask(tree);
}

/**
 * Whether an event may change what the watch shows. Every task event counts (a new subtask is
 * not in the tree yet, and task events are few); agent events count when they concern a task
 * or an agent of the tree.
 */
function isAboutTree(tree: TaskTree, event: ActivityEvent): boolean {
  return event.kind.startsWith("task.") || concernsTree(tree, event);
}

/** Whether an event is about a task of the tree or an agent working on one. */
function concernsTree(tree: TaskTree, event: ActivityEvent): boolean {
  return flattenTree(tree).some(
    (task) =>
      (event.task_id !== null && task.id === event.task_id) ||
      (event.agent_id !== null && task.agent_id === event.agent_id),
  );
}
