import {
  addUsage,
  CcaError,
  type Clock,
  type ErrorInfo,
  emptyUsage,
  isoTime,
  isTerminalStatus,
  type Logger,
  newId,
  newTask,
  noopLogger,
  systemClock,
  type Task,
  type TaskPriority,
  toCcaError,
} from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentManager } from "../agents/agent-manager.js";
import type { TurnResult } from "../agents/headless-session.js";
import { PriorityQueue } from "./priority-queue.js";
import type { TaskStore } from "./task-store.js";

export interface OrchestratorOptions {
  agents: AgentManager;
  store: TaskStore;
  activity: ActivityLog;
  /** A running task that takes longer is interrupted and fails with `timeout`. */
  taskTimeoutMs: number;
  clock?: Clock;
  logger?: Logger;
}

/** How a running task is being ended from outside, if it is. */
type StopReason = "cancel" | "timeout" | "shutdown";

interface RunningTask {
  agentId: string | null;
  stopReason: StopReason | null;
}

const COORDINATOR = "coordinator";
/** How long a cancel waits for the interrupted turn to end before it stops the agent. */
const CANCEL_GRACE_MS = 5_000;

/**
 * Accepts tasks, queues them by priority and runs each as one turn of the Coordinator
 * agent (spawned on first use, then reused so follow-ups share its conversation).
 */
export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #queue = new PriorityQueue();
  readonly #running = new Map<string, RunningTask>();
  readonly #waiters = new Map<string, Set<(task: Task) => void>>();
  #closed = false;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock ?? systemClock;
  }

  /** Stores a new task as queued and schedules it. */
  submit(request: { description: string; priority: TaskPriority }): Task {
    if (this.#closed)
      throw new CcaError("shutting_down", "The daemon is shutting down and accepts no new tasks");
    const task = newTask({
      id: newId("task"),
      description: request.description,
      priority: request.priority,
      created_at: isoTime(this.#clock),
    });
    this.#options.store.insert(task);
    this.#queue.push(task.id, task.priority);
    this.#options.activity.record("task.queued", {
      task_id: task.id,
      summary: `queued: ${clip(task.description)}`,
    });
    queueMicrotask(() => this.#pump());
    return task;
  }

  get(id: string): Task {
    return this.#options.store.get(id);
  }

  list(limit?: number): Task[] {
    return this.#options.store.list(limit);
  }

  /**
   * Resolves with the task once it has ended, or as it is when `timeoutMs` passes or
   * `signal` aborts.
   */
  async waitFor(
    id: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ task: Task; timedOut: boolean }> {
    const current = this.get(id);
    if (isTerminalStatus(current.status)) return { task: current, timedOut: false };
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const finish = (task: Task, timedOut: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        waiters.delete(onEnd);
        resolve({ task, timedOut });
      };
      const onEnd = (task: Task) => finish(task, false);
      const onAbort = () => finish(this.get(id), true);
      const timer = setTimeout(() => finish(this.get(id), true), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      waiters.add(onEnd);
    });
  }

  /** Cancels a queued task at once, or interrupts a running one; resolves with the ended task. */
  async cancel(id: string): Promise<Task> {
    const task = this.get(id);
    if (isTerminalStatus(task.status)) {
      throw new CcaError(
        "task_finished",
        `Task ${id} has already ${task.status}; only queued or running tasks can be cancelled`,
        {
          details: { task_id: id, status: task.status },
        },
      );
    }
    if (this.#queue.remove(id)) {
      return this.#finish(task, "cancelled", {
        error: { code: "task_cancelled", message: "Cancelled before it started" },
      });
    }
    await this.#stopRunning(id, "cancel");
    return (await this.waitFor(id, CANCEL_GRACE_MS * 2)).task;
  }

  /** Stops accepting tasks, cancels queued ones and interrupts running ones. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (let id = this.#queue.shift(); id !== undefined; id = this.#queue.shift()) {
      this.#finish(this.get(id), "cancelled", {
        error: { code: "shutting_down", message: "The daemon shut down before the task started" },
      });
    }
    await Promise.all(
      [...this.#running.keys()].map((id) => this.#stopRunning(id, "shutdown").catch(() => {})),
    );
  }

  /** Task counts by status. */
  countByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const task of this.#options.store.list(Number.MAX_SAFE_INTEGER))
      counts[task.status] = (counts[task.status] ?? 0) + 1;
    return counts;
  }

  async #stopRunning(id: string, reason: StopReason): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    running.stopReason ??= reason;
    if (!running.agentId) return;
    const agentId = running.agentId;
    const interrupted = this.#options.agents.interrupt(agentId).catch(() => {});
    const ended = this.waitFor(id, CANCEL_GRACE_MS);
    await interrupted;
    if ((await ended).timedOut) {
      this.#logger.warn("interrupted turn did not end; stopping the agent", { task: id, agent: agentId });
      await this.#options.agents.stop(agentId).catch(() => {});
    }
  }

  #pump(): void {
    // One Coordinator conversation: its turns run one at a time.
    if (this.#closed || this.#running.size > 0) return;
    const id = this.#queue.shift();
    if (id === undefined) return;
    void this.#run(id).finally(() => this.#pump());
  }

  async #run(id: string): Promise<void> {
    const running: RunningTask = { agentId: null, stopReason: null };
    this.#running.set(id, running);
    let task = this.#update(id, { status: "running", started_at: isoTime(this.#clock) });
    this.#options.activity.record("task.started", {
      task_id: id,
      summary: `started: ${clip(task.description)}`,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const agent = await this.#options.agents.acquire(COORDINATOR);
      running.agentId = agent.id;
      task = this.#update(id, { agent_id: agent.id, session_id: agent.session_id });
      if (running.stopReason) throw this.#stopError(running.stopReason);
      timer = setTimeout(() => void this.#stopRunning(id, "timeout"), this.#options.taskTimeoutMs);
      const turn = await this.#options.agents.runTurn(agent.id, id, task.description);
      this.#complete(id, turn, running.stopReason);
    } catch (error) {
      const failure = running.stopReason ? this.#stopError(running.stopReason) : toCcaError(error);
      const status = running.stopReason === "cancel" ? "cancelled" : "failed";
      this.#finish(this.get(id), status, { error: failure.toJSON() });
    } finally {
      clearTimeout(timer);
      this.#running.delete(id);
    }
  }

  #complete(id: string, turn: TurnResult, stopReason: StopReason | null): void {
    const task = this.#update(id, {
      session_id: turn.sessionId,
      num_turns: turn.numTurns,
      agent_duration_ms: turn.durationMs,
      usage: addUsage(emptyUsage(), turn.usage),
    });
    if (stopReason || turn.interrupted) {
      const reason = stopReason ?? "cancel";
      this.#finish(task, reason === "cancel" ? "cancelled" : "failed", {
        error: this.#stopError(reason).toJSON(),
      });
    } else if (turn.isError) {
      this.#finish(task, "failed", { error: turnError(turn) });
    } else {
      this.#finish(task, "completed", { result: turn.text });
    }
  }

  #stopError(reason: StopReason): CcaError {
    switch (reason) {
      case "cancel":
        return new CcaError("task_cancelled", "Cancelled while running; the agent's turn was interrupted");
      case "timeout":
        return new CcaError(
          "timeout",
          `The task ran longer than ${Math.round(this.#options.taskTimeoutMs / 1000)} s (agents.default_timeout_seconds) and was interrupted`,
        );
      case "shutdown":
        return new CcaError("shutting_down", "The daemon shut down while the task was running");
    }
  }

  #finish(
    task: Task,
    status: "completed" | "failed" | "cancelled",
    fields: { result?: string; error?: ErrorInfo },
  ): Task {
    const finishedAt = this.#clock.now();
    const ended = this.#update(task.id, {
      status,
      result: fields.result ?? null,
      error: fields.error ?? null,
      finished_at: new Date(finishedAt).toISOString(),
      duration_ms: finishedAt - Date.parse(task.created_at),
    });
    const detail =
      status === "completed" ? clip(ended.result ?? "") : `${ended.error?.code}: ${ended.error?.message}`;
    this.#options.activity.record(`task.${status}`, {
      task_id: task.id,
      agent_id: task.agent_id,
      summary: `${status}: ${detail}`,
    });
    this.#logger.info("task ended", { task: task.id, status, code: ended.error?.code });
    for (const waiter of [...(this.#waiters.get(task.id) ?? [])]) waiter(ended);
    this.#waiters.delete(task.id);
    return ended;
  }

  #update(id: string, fields: Partial<Task>): Task {
    const task = { ...this.get(id), ...fields };
    this.#options.store.update(task);
    return task;
  }
}

function turnError(turn: TurnResult): ErrorInfo {
  if (turn.apiErrorStatus !== null) {
    return {
      code: "api_error",
      message: `The Anthropic API answered HTTP ${turn.apiErrorStatus}: ${turn.text || turn.subtype}`,
    };
  }
  const denied =
    turn.permissionDenials.length > 0 ? ` (denied tools: ${turn.permissionDenials.join(", ")})` : "";
  return {
    code: "turn_failed",
    message: `${turn.text || `Claude Code ended the turn with ${turn.subtype}`}${denied}`,
  };
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
