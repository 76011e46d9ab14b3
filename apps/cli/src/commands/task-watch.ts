import {
  type ActivityEvent,
  type DaemonClient,
  isTerminalStatus,
  readTaskChanges,
  type TaskTree,
} from "@cca/core";
import type { CommandContext } from "../context.js";
import { EXIT_CODES, exitCodeForTask } from "../exit-codes.js";
import { createFrameWriter } from "../live/frame-writer.js";
import { followLiveUpdates } from "../live/live-updates.js";
import { renderChangesSection } from "../render-changes.js";
import { flattenTree, renderTaskTreeStatus, runningActivity } from "../render-tree.js";

/** Long-poll length of the fallback poll while watching, so a missed event costs at most this long. */
const WATCH_POLL_S = 5;

/**
 * `cca task status <id> --watch`: shows the task tree, and again each time it changes, until
 * the task ends. Looks again on each event about the tree's tasks or agents, and whenever a
 * long poll of the task answers. Resolves to the exit code (4 if the task failed or was
 * cancelled, 130 on Ctrl-C).
 */
export async function watchTaskTree(
  context: CommandContext,
  client: DaemonClient,
  initial: TaskTree,
  json: boolean,
): Promise<number> {
  let tree = initial;
  const latestByAgent = new Map<string, ActivityEvent>();
  const remember = (events: readonly ActivityEvent[]) => {
    for (const event of events) if (event.agent_id) latestByAgent.set(event.agent_id, event);
  };
  if (!json) remember((await client.activity()).recent);

  const frames = createFrameWriter({
    write: (text) => context.writeRaw(text),
    columns: () => context.renderOptions().width,
    isTerminal: context.isTerminal,
  });
  let lastJson = "";
  const show = () => {
    if (json) {
      const line = JSON.stringify(tree);
      if (line !== lastJson) context.writeRaw(`${line}\n`);
      lastJson = line;
      return;
    }
    const frame = renderTaskTreeStatus(tree, { ...context.renderOptions(), activity: latestByAgent });
    frames.show(frame, JSON.stringify([tree, runningActivity(tree, latestByAgent)]));
  };

  const stop = new AbortController();
  const updates = followLiveUpdates(client, {
    signal: AbortSignal.any([context.signal, stop.signal]),
    poll: async (signal) =>
      !isTerminalStatus((await client.waitForTask(tree.id, WATCH_POLL_S, signal)).status),
    relevant: (event) => isAboutTree(tree, event),
  });
  try {
    show();
    while (!isTerminalStatus(tree.status)) {
      await updates.next();
      if (context.signal.aborted) {
        context.warn(
          `Stopped watching; task ${tree.id} is still ${tree.status}. Follow it with \`cca task status ${tree.id} --watch\`.`,
        );
        return EXIT_CODES.interrupted;
      }
      remember(updates.takeEvents());
      tree = await client.getTaskTree(tree.id);
      show();
    }
  } finally {
    stop.abort();
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
  return exitCodeForTask(tree);
}

/**
 * Whether an event may change what the watch shows. Every task event counts (a new subtask is
 * not in the tree yet, and task events are few); agent events count when they concern a task
 * or an agent of the tree.
 */
function isAboutTree(tree: TaskTree, event: ActivityEvent): boolean {
  if (event.kind.startsWith("task.")) return true;
  return flattenTree(tree).some(
    (task) =>
      (event.task_id !== null && task.id === event.task_id) ||
      (event.agent_id !== null && task.agent_id === event.agent_id),
  );
}
