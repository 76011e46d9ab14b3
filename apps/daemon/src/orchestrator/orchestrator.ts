import {
  addUsage,
  buildTaskTree,
  CcaError,
  type Clock,
  type ErrorInfo,
  type EventBus,
  emptyUsage,
  isoTime,
  isTerminalStatus,
  type Logger,
  newId,
  newTask,
  noopLogger,
  systemClock,
  type Task,
  type TaskDelivery,
  type TaskPriority,
  type TaskQueue,
  type TaskTree,
  toCcaError,
} from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { AgentManager } from "../agents/agent-manager.js";
import type { TurnResult } from "../agents/headless-session.js";
import { ClusterWorker } from "./cluster-worker.js";
import { PriorityQueue } from "./priority-queue.js";
import type { ReplicatedTaskStore } from "./replicated-task-store.js";
import { REQUEUED, type StopReason, stopError, turnError } from "./task-outcomes.js";
import type { TaskStore } from "./task-store.js";
import { TaskWaiters } from "./task-waiters.js";

export interface OrchestratorOptions {
  agents: AgentManager;
  store: TaskStore;
  activity: ActivityLog;
  /** A running task that takes longer is interrupted and fails with `timeout`. */
  taskTimeoutMs: number;
  /** Set when daemons share work through Redis: the shared queue, the replicated store, the bus. */
  cluster?: ClusterOptions;
  clock?: Clock;
  logger?: Logger;
}

export interface ClusterOptions {
  queue: TaskQueue;
  /** Must be the orchestrator's `store` too. */
  replica: ReplicatedTaskStore;
  bus: EventBus;
  /** This daemon's name in the queue's consumer group: stable and unique. */
  consumer: string;
  /** How often a running task's claim is renewed; well under the queue's claim idle time. */
  heartbeatMs: number;
}

/** What a delegating agent asks for (the `cca_delegate` tool's arguments). */
export interface DelegationRequest {
  role: string;
  task: string;
  context?: string;
  timeout_s?: number;
}

interface RunningTask {
  agentId: string | null;
  stopReason: StopReason | null;
  /** Aborts the wait for an agent, when the task has none yet. */
  reservation: AbortController;
}

const COORDINATOR = "coordinator";
/** The bus channel on which daemons ask each other to cancel the tasks they run. */
export const CONTROL_CHANNEL = "cca:control";
/** How often a wait for a task another daemon runs looks at the shared record. */
const REMOTE_POLL_MS = 250;
/** How much of a description or result an activity summary shows. */
const DESCRIPTION_LIMIT = 100;

/** How long a cancel waits for the interrupted turn to end before it stops the agent. */
const CANCEL_GRACE_MS = 5_000;

/**
 * Accepts tasks, queues them by priority and runs each as one turn of the Coordinator
 * (spawned on first use, then reused so follow-ups share its conversation). While it
 * works, the Coordinator delegates subtasks, which run in parallel on agents of their roles.
 */
export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #queue = new PriorityQueue();
  readonly #running = new Map<string, RunningTask>();
  readonly #waiters = new TaskWaiters();
  readonly #cluster: ClusterOptions | undefined;
  #coordinatorBusy = false;
  #closed = false;
  #worker: ClusterWorker | null = null;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock ?? systemClock;
    this.#cluster = options.cluster;
  }

  /** In a cluster, starts taking tasks from the shared queue and hearing cancels from other daemons. */
  async start(): Promise<void> {
    const cluster = this.#cluster;
    if (!cluster) return;
    await cluster.bus.subscribe<{ cancel?: string }>(CONTROL_CHANNEL, (message) => {
      if (message.cancel && this.#running.has(message.cancel))
        void this.#stopRunning(message.cancel, "cancel");
    });
    this.#worker = new ClusterWorker({
      cluster,
      run: (task) => this.#runClaimed(task),
      logger: this.#logger,
    });
    this.#worker.start();
  }

  /**
   * Stores a new task as queued and schedules it for a Coordinator: this daemon's, or in a
   * cluster whichever daemon's is free first. Resolves once the task is safely stored.
   */
  async submit(request: { description: string; priority: TaskPriority }): Promise<Task> {
    const task = this.#create({
      description: request.description,
      priority: request.priority,
      parent_id: null,
    });
    if (this.#cluster) {
      try {
        await this.#cluster.replica.flush(task.id);
        await this.#cluster.queue.enqueue({ taskId: task.id, priority: task.priority });
      } catch (error) {
        // Not in the shared queue, so no daemon would ever run it: say so on the record too.
        const failure = new CcaError(
          "internal",
          `Could not queue the task in Redis: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
        this.#finish(task, "failed", { error: failure.toJSON() });
        throw failure;
      }
    } else {
      this.#queue.push(task.id, task.priority);
      queueMicrotask(() => this.#pump());
    }
    return task;
  }

  /**
   * Runs a subtask of the task that agent `fromAgentId` is working on, on an agent of
   * `request.role`, and resolves with the ended subtask (completed or not; never throws for
   * the subtask's own failure). Calls run in parallel.
   */
  async delegate(
    fromAgentId: string,
    request: DelegationRequest,
    options: { signal?: AbortSignal; onCreated?: (subtask: Task) => void } = {},
  ): Promise<Task> {
    const { signal } = options;
    const from = this.#options.agents.get(fromAgentId);
    const parentId = from.current_task_id;
    if (!parentId) {
      throw new CcaError(
        "bad_request",
        `Agent ${fromAgentId} is not working on a task, so it cannot delegate`,
      );
    }
    this.#options.agents.checkRole(request.role);
    const parent = this.get(parentId);
    const subtask = this.#create(
      { description: request.task, priority: parent.priority, parent_id: parentId },
      from.role,
    );
    options.onCreated?.(subtask);
    const prompt = request.context
      ? `${request.task}\n\nContext from the ${from.role}:\n${request.context}`
      : request.task;
    const onAbort = () => void this.#stopRunning(subtask.id, "cancel");
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const timeoutMs = request.timeout_s ? request.timeout_s * 1000 : this.#options.taskTimeoutMs;
      return await this.#execute(subtask.id, request.role, prompt, timeoutMs);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  get(id: string): Task {
    return this.#options.store.get(id);
  }

  list(limit?: number): Task[] {
    return this.#options.store.list(limit);
  }

  /** The task as it stands now, wherever it runs (in a cluster, from the shared store). */
  async lookup(id: string): Promise<Task> {
    if (!this.#cluster || this.#running.has(id)) return this.get(id);
    const local = this.#options.store.has(id) ? this.get(id) : null;
    if (local && isTerminalStatus(local.status)) return local;
    return this.#cluster.replica.fetch(id);
  }

  /** Recent tasks, newest first: this daemon's, or in a cluster every daemon's. */
  async listAll(limit = 100): Promise<Task[]> {
    return this.#cluster ? this.#cluster.replica.fetchAll(limit) : this.list(limit);
  }

  /** The task with its subtasks, recursively, and each node's usage including its subtree. */
  async tree(id: string): Promise<TaskTree> {
    const root = await this.lookup(id);
    if (!this.#cluster) return buildTaskTree(root, (parentId) => this.#options.store.children(parentId));
    const all = await this.#cluster.replica.fetchAll(Number.MAX_SAFE_INTEGER);
    return buildTaskTree(root, (parentId) =>
      all
        .filter((task) => task.parent_id === parentId)
        .sort((a, b) => a.created_at.localeCompare(b.created_at)),
    );
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
    const deadline = this.#clock.now() + timeoutMs;
    for (;;) {
      const current = await this.lookup(id);
      if (isTerminalStatus(current.status)) return { task: current, timedOut: false };
      const remaining = deadline - this.#clock.now();
      if (remaining <= 0 || signal?.aborted) return { task: current, timedOut: true };
      // A task run here wakes its waiters when it ends; one run elsewhere is looked at now and then.
      const remote = this.#cluster !== undefined && !this.#running.has(id);
      const ended = await this.#waiters.wait(
        id,
        remote ? Math.min(REMOTE_POLL_MS, remaining) : remaining,
        signal,
      );
      if (ended && isTerminalStatus(ended.status)) return { task: ended, timedOut: false };
    }
  }

  /** Cancels a task and its subtasks: queued ones at once, running ones by interrupting their turn. */
  async cancel(id: string): Promise<Task> {
    const task = await this.lookup(id);
    if (isTerminalStatus(task.status)) {
      throw new CcaError(
        "task_finished",
        `Task ${id} has already ${task.status}; only queued or running tasks can be cancelled`,
        { details: { task_id: id, status: task.status } },
      );
    }
    if (this.#queue.remove(id)) {
      return this.#finish(task, "cancelled", {
        error: { code: "task_cancelled", message: "Cancelled before it started" },
      });
    }
    if (this.#cluster && !this.#running.has(id)) {
      // Queued in the shared queue, or running on another daemon: mark it, and ask whoever runs it.
      if (task.status === "queued") {
        this.#finish(task, "cancelled", {
          error: { code: "task_cancelled", message: "Cancelled before it started" },
        });
        await this.#cluster.replica.flush(id);
      }
      await this.#cluster.bus.publish(CONTROL_CHANNEL, { cancel: id });
    } else {
      await this.#stopRunning(id, "cancel");
    }
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
    await Promise.all([...this.#running.keys()].map((id) => this.#stopRunning(id, "shutdown")));
    await this.#worker?.stop();
  }

  /** Task counts by status. */
  countByStatus(): Record<string, number> {
    return this.#options.store.countByStatus();
  }

  /**
   * Runs a task claimed from the shared queue on this daemon's Coordinator. "requeued" when
   * this daemon's shutdown stopped it: it goes back to queued, for another daemon to take.
   */
  async #runClaimed(task: Task): Promise<"ended" | "requeued"> {
    this.#coordinatorBusy = true;
    try {
      await this.#execute(task.id, COORDINATOR, task.description, this.#options.taskTimeoutMs);
    } finally {
      this.#coordinatorBusy = false;
    }
    return this.get(task.id).status === "queued" ? "requeued" : "ended";
  }

  #create(
    fields: { description: string; priority: TaskPriority; parent_id: string | null },
    fromRole?: string,
  ): Task {
    if (this.#closed)
      throw new CcaError("shutting_down", "The daemon is shutting down and accepts no new tasks");
    const task = newTask({ id: newId("task"), created_at: isoTime(this.#clock), ...fields });
    this.#options.store.insert(task);
    const via = fromRole ? `${fromRole} delegated` : "queued";
    this.#options.activity.record("task.queued", {
      task_id: task.id,
      summary: `${via}: ${oneLine(task.description, DESCRIPTION_LIMIT)}`,
    });
    return task;
  }

  #pump(): void {
    // One Coordinator conversation: its turns run one at a time.
    if (this.#closed || this.#coordinatorBusy) return;
    const id = this.#queue.shift();
    if (id === undefined) return;
    this.#coordinatorBusy = true;
    void this.#execute(id, COORDINATOR, this.get(id).description, this.#options.taskTimeoutMs).finally(() => {
      this.#coordinatorBusy = false;
      this.#pump();
    });
  }

  /** Runs one task as one turn of an agent of `role`; resolves with the ended task. */
  async #execute(id: string, role: string, prompt: string, timeoutMs: number): Promise<Task> {
    const running: RunningTask = { agentId: null, stopReason: null, reservation: new AbortController() };
    this.#running.set(id, running);
    const task = this.#update(id, { status: "running", started_at: isoTime(this.#clock) });
    this.#options.activity.record("task.started", {
      task_id: id,
      summary: `${role}: started ${oneLine(task.description, DESCRIPTION_LIMIT)}`,
    });
    const timer = setTimeout(() => void this.#stopRunning(id, "timeout"), timeoutMs);
    try {
      const agent = await this.#options.agents.reserve(role, id, {
        signal: running.reservation.signal,
        ancestors: this.#ancestors(task),
      });
      running.agentId = agent.id;
      this.#update(id, { agent_id: agent.id, session_id: agent.session_id });
      try {
        if (running.stopReason) throw stopError(running.stopReason, timeoutMs);
        const turn = await this.#options.agents.runTurn(agent.id, id, prompt);
        this.#complete(id, turn, running.stopReason, timeoutMs);
      } finally {
        this.#options.agents.release(agent.id);
      }
    } catch (error) {
      const failure = running.stopReason ? stopError(running.stopReason, timeoutMs) : toCcaError(error);
      const status = running.stopReason === "cancel" ? "cancelled" : "failed";
      this.#finish(this.get(id), status, { error: failure.toJSON() });
    } finally {
      clearTimeout(timer);
      this.#running.delete(id);
    }
    await this.#endChildren(id);
    return this.get(id);
  }

  /** Subtasks still running when their parent ends have nobody to report to: stop them. */
  async #endChildren(parentId: string): Promise<void> {
    const open = this.#options.store.children(parentId).filter((child) => !isTerminalStatus(child.status));
    await Promise.all(open.map((child) => this.#stopRunning(child.id, "parent_ended")));
  }

  async #stopRunning(id: string, reason: StopReason): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    running.stopReason ??= reason;
    const children = this.#options.store.children(id).filter((child) => !isTerminalStatus(child.status));
    const stoppingChildren = Promise.all(children.map((child) => this.#stopRunning(child.id, reason)));
    if (!running.agentId) {
      running.reservation.abort(stopError(reason, 0));
      await stoppingChildren;
      return;
    }
    const agentId = running.agentId;
    // Wait for the turn to end (the task ended, or went back to queued), not for a final status.
    const ended = this.#waiters.wait(id, CANCEL_GRACE_MS);
    await this.#options.agents.interrupt(agentId).catch(() => {});
    if ((await ended) === null && this.#running.has(id)) {
      this.#logger.warn("interrupted turn did not end; stopping the agent", { task: id, agent: agentId });
      await this.#options.agents.stop(agentId).catch(() => {});
    }
    await stoppingChildren;
  }

  #ancestors(task: Task): string[] {
    const ids: string[] = [];
    for (let parent = task.parent_id; parent; parent = this.get(parent).parent_id) ids.push(parent);
    return ids;
  }

  #complete(id: string, turn: TurnResult, stopReason: StopReason | null, timeoutMs: number): void {
    const task = this.#update(id, {
      session_id: turn.sessionId,
      num_turns: turn.numTurns,
      agent_duration_ms: turn.durationMs,
      usage: addUsage(emptyUsage(), turn.usage),
    });
    if (stopReason || turn.interrupted) {
      const reason = stopReason ?? "cancel";
      this.#finish(task, reason === "cancel" ? "cancelled" : "failed", {
        error: stopError(reason, timeoutMs).toJSON(),
      });
    } else if (turn.isError) {
      this.#finish(task, "failed", { error: turnError(turn) });
    } else {
      this.#finish(task, "completed", { result: turn.text });
    }
  }

  #finish(
    task: Task,
    status: "completed" | "failed" | "cancelled",
    fields: { result?: string; error?: ErrorInfo },
  ): Task {
    if (
      this.#cluster &&
      !task.parent_id &&
      fields.error?.code === "shutting_down" &&
      this.#running.has(task.id)
    ) {
      // Stopped by this daemon's shutdown, not by its own failure: back in line for another daemon.
      const requeued = this.#update(task.id, REQUEUED);
      this.#waiters.resolve(requeued);
      return requeued;
    }
    const finishedAt = this.#clock.now();
    const ended = this.#update(task.id, {
      status,
      result: fields.result ?? null,
      error: fields.error ?? null,
      finished_at: new Date(finishedAt).toISOString(),
      duration_ms: finishedAt - Date.parse(task.created_at),
    });
    const detail =
      status === "completed"
        ? oneLine(ended.result ?? "", DESCRIPTION_LIMIT)
        : `${ended.error?.code}: ${ended.error?.message}`;
    this.#options.activity.record(`task.${status}`, {
      task_id: task.id,
      agent_id: ended.agent_id,
      summary: `${status}: ${detail}`,
    });
    this.#logger.info("task ended", { task: task.id, status, code: ended.error?.code });
    this.#waiters.resolve(ended);
    return ended;
  }

  #update(id: string, fields: Partial<Task>): Task {
    const task = { ...this.get(id), ...fields };
    this.#options.store.update(task);
    return task;
  }
}
