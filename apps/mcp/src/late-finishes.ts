import {
  CcaError,
  type DaemonClient,
  formatCost,
  isTerminalStatus,
  type Logger,
  type Task,
  teamUsage,
} from "@cca/core";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { formatEndVerb } from "./format.js";

/** A task watched until it ends; `interruptedIn` names the tool whose wait for it was interrupted. */
interface FollowedTask {
  interruptedIn: string | undefined;
}

/** How much of a late task's answer (or error) the one-line report quotes. */
const QUOTED_CHARS = 200;

/**
 * The tasks this server started (or resumed) whose `cca_task` (`cca_resume`) call returned before
 * they ended or paused (the wait limit, `wait: false`, an interrupted wait, a lost daemon). The
 * next answer of any CCA tool says how each ended, once, so the Command Center hears of work it
 * stopped waiting for.
 */
export interface LateFinishes {
  /**
   * Watches a task until it ends (or pauses). With `interruptedIn` (the tool whose wait was
   * interrupted: cca_task, cca_resume), the next answer first says that the task goes on
   * although that wait was interrupted (the interrupted call's own answer is never sent).
   */
  follow(taskId: string, options?: { interruptedIn?: string }): void;
  /** A line for the next answer, once it is known (undefined: nothing to say after all). */
  announce(line: Promise<string | undefined>): void;
  /** Stops watching a task whose end an answer has just shown. */
  seen(taskId: string): void;
  /** The lines due now; each late finish and announcement is handed out once. */
  news(): Promise<string[]>;
  /** `result` with the lines due now, if any, in a text block before its own. */
  addTo(result: CallToolResult): Promise<CallToolResult>;
}

/**
 * Creates the record of late finishes for one Command Center server. Followed tasks are looked
 * up when an answer is about to go out, so nothing runs in between.
 * @example
 * const lateFinishes = createLateFinishes({ client });
 * lateFinishes.follow("task_1");
 * return lateFinishes.addTo(textResult("…")); // "Meanwhile task_1 completed: … (cost $0.0123)" first
 */
export function createLateFinishes(options: { client: DaemonClient; logger: Logger }): LateFinishes {
  const { client, logger } = options;
  const followed = new Map<string, FollowedTask>();
  const announcements: Array<Promise<string | undefined>> = [];

  async function report(taskId: string, entry: FollowedTask): Promise<string | undefined> {
    let task: Task;
    try {
      task = await client.getTask(taskId);
    } catch (error) {
      if (error instanceof CcaError && error.code === "task_not_found") followed.delete(taskId);
      logger.debug("could not look up a followed task", { task_id: taskId, error });
      return undefined;
    }
    // A concurrent answer may have reported it while we asked.
    if (followed.get(taskId) !== entry) return undefined;
    if (isTerminalStatus(task.status)) {
      followed.delete(taskId);
      return formatLateFinish(task);
    }
    if (entry.interruptedIn === undefined) return undefined;
    const tool = entry.interruptedIn;
    entry.interruptedIn = undefined;
    return formatStillGoing(task, tool);
  }

  const lateFinishes: LateFinishes = {
    follow(taskId, { interruptedIn } = {}) {
      followed.set(taskId, { interruptedIn });
    },
    announce(line) {
      announcements.push(
        line.catch((error: unknown) => {
          logger.debug("an announcement failed", { error });
          return undefined;
        }),
      );
    },
    seen(taskId) {
      followed.delete(taskId);
    },
    async news() {
      // Announcements may follow tasks (a cancel that came too late), so they go first.
      const announced = await Promise.all(announcements.splice(0));
      const reports = await Promise.all([...followed].map(([taskId, entry]) => report(taskId, entry)));
      return [...announced, ...reports].filter((line): line is string => line !== undefined);
    },
    async addTo(result) {
      const lines = await lateFinishes.news();
      if (lines.length === 0) return result;
      return { ...result, content: [{ type: "text", text: lines.join("\n") }, ...result.content] };
    },
  };
  return lateFinishes;
}

/** `Meanwhile task_1 completed: Added GET /health. (cost $0.0123)`, or how it failed or paused. */
export function formatLateFinish(task: Task): string {
  const said = task.status === "completed" ? task.result : task.error?.message;
  const firstLine = said?.trim().split("\n")[0]?.trim() ?? "";
  const quoted = firstLine.length > QUOTED_CHARS ? `${firstLine.slice(0, QUOTED_CHARS - 1)}…` : firstLine;
  const whole = quoted === (said?.trim() ?? "");
  const cost = `cost ${formatCost(teamUsage(task).cost_usd)}`;
  const more = whole ? "" : `; cca_status {"task_id":"${task.id}"} has it in full`;
  const resume = task.status === "paused" ? `; cca_resume {"task_id":"${task.id}"} continues it` : "";
  const how =
    task.status === "completed"
      ? "completed"
      : `${formatEndVerb(task)}${task.error ? ` [${task.error.code}]` : ""}`;
  const text = quoted || (task.status === "completed" ? "(no written answer)" : "");
  return `Meanwhile ${task.id} ${how}${text ? `: ${text}` : ""} (${cost}${more}${resume})`;
}

function formatStillGoing(task: Task, tool: string): string {
  return (
    `Task ${task.id} goes on (${task.status}) although its ${tool} wait was interrupted; ` +
    `follow it with cca_status {"task_id":"${task.id}"}, or stop it with cca_cancel {"task_id":"${task.id}"}.`
  );
}
