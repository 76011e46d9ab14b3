import {
  type Clock,
  type ErrorInfo,
  isoTime,
  type Logger,
  newId,
  newTask,
  type Task,
  type TaskBudget,
  type TaskPriority,
  type TaskStatus,
  type TaskWorkspace,
} from "@cca/core";
import type { PartBrief, TaskRepository } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import { REQUEUED } from "./task-outcomes.js";
import type { TaskWaiters } from "./task-waiters.js";

/** How much of a description or result an activity summary shows. */
const DESCRIPTION_LIMIT = 100;

/** How many tasks' parents `parentOf` remembers. */
const PARENT_INDEX_SIZE = 10_000;

export type EndStatus = "completed" | "failed" | "cancelled" | "interrupted";

/** What a task's turn records on it as it ends: its session, tokens and Claude Code's time. */
export type TurnFields = Partial<Pick<Task, "session_id" | "num_turns" | "agent_duration_ms" | "usage">>;
const UNFINISHED = ["queued", "running"] as const;

/**
 * A task's life as stored: created queued, started by one daemon, ended once. Each step is
 * written to the repository first, then told (activity, waiters); an end is a
 * compare-and-set, so a task that already ended is never ended again.
 */
export class TaskRecords {
  readonly #repository: TaskRepository;
  readonly #activity: ActivityLog;
  readonly #waiters: TaskWaiters;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #parents = new Map<string, string | null>();
  /** This daemon's name, recorded as the owner of what it runs. */
  readonly owner: string;

  constructor(options: {
    repository: TaskRepository;
    activity: ActivityLog;
    waiters: TaskWaiters;
    clock: Clock;
    logger: Logger;
    owner: string;
  }) {
    this.#repository = options.repository;
    this.#activity = options.activity;
    this.#waiters = options.waiters;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.owner = options.owner;
  }

  get repository(): TaskRepository {
    return this.#repository;
  }

  /**
   * Stores a new queued task (a part with what the delegating agent asked of it, and who
   * that was); resolves once it is in the database.
   */
  async create(
    fields: {
      description: string;
      priority: TaskPriority;
      parent_id: string | null;
      project?: string | null;
      budget?: TaskBudget | null;
    },
    /**
     * A part: what its delegating agent asked, and that agent's role. A top-level task may
     * name a role instead of the Coordinator, and one agent of it (a message to that agent).
     */
    part?: { brief: PartBrief; fromRole: string } | { role: string; agentId?: string },
    /** Where its agents will work, once its id is known (the branch is named after it). */
    workspaceFor?: (taskId: string) => TaskWorkspace | null,
  ): Promise<Task> {
    const id = newId("task");
    const task = newTask({
      id,
      created_at: isoTime(this.#clock),
      ...fields,
      workspace: workspaceFor?.(id) ?? null,
    });
    const brief =
      part && "brief" in part
        ? part.brief
        : part
          ? {
              role: part.role,
              context: null,
              timeoutMs: null,
              agentId: part.agentId ?? null,
              // Only the agent's own daemon takes a message for it: this one.
              daemon: part.agentId ? this.owner : null,
            }
          : null;
    await this.#repository.insert(task, brief);
    this.#remember(task);
    const via =
      part && "fromRole" in part
        ? `${part.fromRole} delegated`
        : part
          ? `queued for ${part.agentId ? `${part.role} agent ${part.agentId}` : part.role}`
          : "queued";
    this.#activity.record("task.queued", {
      task_id: task.id,
      agent_id: part && "agentId" in part ? (part.agentId ?? null) : null,
      summary: `${via}: ${oneLine(task.description, DESCRIPTION_LIMIT)}`,
    });
    return task;
  }

  /** Marks the task running on this daemon (from queued, or taken over from a daemon that is gone). */
  async start(id: string, role: string): Promise<Task | undefined> {
    const task = await this.#repository.transition(
      id,
      UNFINISHED,
      { status: "running", started_at: isoTime(this.#clock) },
      { owner: this.owner, countAttempt: true },
    );
    if (task) {
      this.#activity.record("task.started", {
        task_id: id,
        summary: `${role}: started ${oneLine(task.description, DESCRIPTION_LIMIT)}`,
      });
    }
    return task;
  }

  /**
   * The parent of a task this daemon created or read recently (null for a top-level task),
   * undefined when it does not know: for relaying activity synchronously, by tree.
   */
  parentOf(id: string): string | null | undefined {
    return this.#parents.get(id);
  }

  /** Reads a task with its team totals (as the API shows it), remembering its parent. */
  async get(id: string): Promise<Task> {
    const task = await this.#repository.get(id);
    this.#remember(task);
    return task;
  }

  /** Reads a task as stored, without team totals (cheaper: for the daemon's own decisions), remembering its parent. */
  async read(id: string): Promise<Task> {
    const task = await this.#repository.read(id);
    this.#remember(task);
    return task;
  }

  /** The ids of the tasks `task` is a part of, nearest first. */
  async ancestors(task: Task): Promise<string[]> {
    const ids: string[] = [];
    for (let parent = task.parent_id; parent; ) {
      ids.push(parent);
      const known = this.#parents.get(parent);
      parent = known !== undefined ? known : (await this.read(parent)).parent_id;
    }
    return ids;
  }

  #remember(task: Task): void {
    this.#parents.set(task.id, task.parent_id);
    if (this.#parents.size > PARENT_INDEX_SIZE) {
      const oldest = this.#parents.keys().next();
      if (!oldest.done) this.#parents.delete(oldest.value);
    }
  }

  update(id: string, fields: Partial<Task>): Promise<Task> {
    return this.#repository.update(id, fields);
  }

  /** Puts a task that was running back to queued, as if it had never started (keeping what its turn recorded). */
  async requeue(id: string, turn: TurnFields = {}): Promise<Task | undefined> {
    const task = await this.#repository.transition(
      id,
      ["running"],
      { ...turn, ...REQUEUED },
      { owner: null },
    );
    if (task) this.#waiters.wake(id);
    return task;
  }

  /**
   * Pauses the task, if its status is one of `from` (queued: before its turn; running: at
   * its turn's end), keeping what it has (`result`: its answer so far) and saying why in
   * `error`; no daemon holds it until it is resumed. Undefined when its status was another.
   */
  async pause(
    id: string,
    error: ErrorInfo,
    fields: { result?: string; turn?: TurnFields } = {},
    from: readonly TaskStatus[] = UNFINISHED,
  ): Promise<Task | undefined> {
    const paused = await this.#repository.transition(
      id,
      from,
      {
        ...fields.turn,
        status: "paused",
        error,
        ...(fields.result === undefined ? {} : { result: fields.result }),
      },
      { owner: null },
    );
    if (!paused) return undefined;
    this.#activity.record("task.paused", {
      task_id: id,
      agent_id: paused.agent_id,
      summary: `paused: ${oneLine(error.message, 2 * DESCRIPTION_LIMIT)}`,
    });
    this.#logger.info("task paused", { task: id, code: error.code });
    this.#waiters.wake(id);
    return paused;
  }

  /**
   * Puts a paused task back in line with `fields` (e.g. its new budget), noting when;
   * undefined when it is not paused (any more).
   */
  async resume(id: string, fields: Partial<Task> = {}, summary = "resumed"): Promise<Task | undefined> {
    const resumed = await this.#repository.transition(
      id,
      ["paused"],
      { ...fields, status: "queued", error: null, resumed_at: isoTime(this.#clock) },
      { owner: null },
    );
    if (resumed) this.#activity.record("task.resumed", { task_id: id, summary });
    return resumed;
  }

  /**
   * Ends the task, unless it already ended (or its status is not one of `from`): resolves
   * with the task as stored either way. `turn`: what its last turn recorded (tokens,
   * session), written in the same update.
   */
  async finish(
    id: string,
    status: EndStatus,
    fields: { result?: string; error?: ErrorInfo; turn?: TurnFields } = {},
    from: readonly TaskStatus[] = UNFINISHED,
  ): Promise<Task> {
    const ended = await this.#repository.transition(
      id,
      from,
      { ...fields.turn, status, result: fields.result ?? null, error: fields.error ?? null },
      { endedAt: isoTime(this.#clock) },
    );
    if (!ended) {
      // It ended meanwhile (elsewhere): what its turn used still counts.
      return fields.turn ? this.#repository.update(id, fields.turn) : this.#repository.read(id);
    }
    const detail =
      status === "completed"
        ? oneLine(ended.result ?? "", DESCRIPTION_LIMIT)
        : `${ended.error?.code}: ${ended.error?.message}`;
    this.#activity.record(`task.${status}`, {
      task_id: id,
      agent_id: ended.agent_id,
      summary: `${status}: ${detail}`,
    });
    this.#logger.info("task ended", { task: id, status, code: ended.error?.code });
    this.#waiters.wake(id);
    return ended;
  }
}
