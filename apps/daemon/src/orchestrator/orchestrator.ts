import {
  type Agent,
  buildTaskTree,
  CcaError,
  type Clock,
  type EventBus,
  isTerminalStatus,
  type Logger,
  noopLogger,
  type PartMerge,
  type ResumeTaskRequest,
  subscribeTo,
  systemClock,
  type Task,
  type TaskBudget,
  type TaskPriority,
  type TaskScheduler,
  type TaskTree,
  toCcaError,
} from "@cca/core";
import type {
  AgentRepository,
  ApprovalRepository,
  ContextReadRepository,
  DaemonRepository,
  SnapshotRepository,
  TaskListFilter,
  TaskPage,
  TaskRepository,
  TokenUsageRepository,
} from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentManager } from "../agents/agent-manager.js";
import { ActivityChannel, ControlChannel } from "../bus-channels.js";
import { NO_MEMORY, type TaskMemory } from "../memory/task-memory.js";
import { heuristicRouter } from "../routing/heuristic-router.js";
import type { TaskRouter } from "../routing/task-router.js";
import type { Workspaces } from "../workspaces/workspaces.js";
import { Budgets, NO_LIMITS } from "./budgets.js";
import { partDeadline } from "./part-brief.js";
import { Pauses } from "./pauses.js";
import { Recovery } from "./recovery.js";
import { scheduleEntry } from "./schedule-entry.js";
import { COORDINATOR, createRunHandler, type OnRestart } from "./scheduled-runs.js";
import { StopAnywhere } from "./stop-anywhere.js";
import { TaskExecution } from "./task-execution.js";
import type { StopReason } from "./task-outcomes.js";
import { TaskRecords } from "./task-records.js";
import { TaskWaiters } from "./task-waiters.js";
import { TurnLimiter, type TurnLimiterView } from "./turn-limiter.js";

export interface OrchestratorOptions {
  agents: AgentManager;
  tasks: TaskRepository;
  agentRecords: AgentRepository;
  daemons: DaemonRepository;
  snapshots: SnapshotRepository;
  /** Pending approvals, cancelled when the daemon whose agent asked is gone. */
  approvals: Pick<ApprovalRepository, "cancelOfDaemons">;
  /** Context snapshots kept per agent by the retention. */
  snapshotsPerAgent: number;
  scheduler: TaskScheduler;
  bus: EventBus;
  activity: ActivityLog;
  /** This daemon's name: the owner of the tasks it runs. */
  daemonName: string;
  /** A running task that takes longer is interrupted and fails with `timeout`. */
  taskTimeoutMs: number;
  onRestart: OnRestart;
  /** How long an interrupted turn may take to end before its agent is stopped. */
  stopGraceMs: number;
  /** A daemon unseen for longer is gone and its work is taken over. */
  staleDaemonMs: number;
  retentionMs: number;
  /** How often to reconcile the scheduler with the repository. */
  reconcileMs?: number;
  /** Where agents work (worktrees or the project folder) and what becomes of their changes. */
  workspaces: Workspaces;
  /** `[projects] auto_apply`: apply a task's branch when it completes. */
  autoApply?: boolean;
  /** The ReasoningBank's side of each task and part: hints, then its outcome; default none. */
  memory?: TaskMemory;
  /** Where each turn's tokens are recorded (`token_usage`, the token reports). */
  tokens?: Pick<TokenUsageRepository, "record" | "deleteBefore">;
  /** The files agents read, deleted past the retention with the turns. */
  reads?: Pick<ContextReadRepository, "deleteBefore">;
  /** The spending limits a turn must be under to start (`[budgets]`, each task's own); default none. */
  budgets?: Budgets;
  /** How many task turns call the API at once (rate limits); default no limit. */
  limiter?: TurnLimiter;
  /** `[rate_limits] turn_retries`: a turn refused for a rate limit is tried again this many times. */
  rateLimitRetries?: number;
  /** `[token_efficiency] compact_above_tokens`, when compaction is on: agents' conversations are compacted past it. */
  compactAboveTokens?: number | null;
  /** Picks each task's and part's role (`[learning]`); default the heuristic: the Coordinator, the asked-for role. */
  router?: TaskRouter;
  clock?: Clock;
  logger?: Logger;
}

/** What a delegating agent asks for (the `cca_delegate` tool's arguments). */
export interface DelegationRequest {
  role: string;
  task: string;
  context?: string;
  timeout_s?: number;
}

/** How often a wait looks at the stored task when nothing woke it (a task run by another daemon). */
const WAIT_POLL_MS = 500;
/** The activity that ends a wait: a task's end, or its pause. */
const END_KINDS = new Set([
  "task.completed",
  "task.failed",
  "task.cancelled",
  "task.interrupted",
  "task.paused",
]);

/**
 * Accepts tasks, stores them before answering, and has the scheduler hand each to a
 * daemon's Coordinator (this one's, or with shared work whichever is free first), where it
 * runs as one turn; the Coordinator delegates parts, which run in parallel on agents of
 * their roles. The repository is the truth about every task; the scheduler only decides
 * who runs what next.
 */
export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #logger: Logger;
  readonly #waiters = new TaskWaiters();
  readonly #records: TaskRecords;
  readonly #execution: TaskExecution;
  readonly #recovery: Recovery;
  readonly #stopAnywhere: StopAnywhere;
  readonly #budgets: Budgets;
  readonly #limiter: TurnLimiter;
  readonly #pauses: Pauses;
  readonly #router: TaskRouter;
  readonly #unsubscribe: (() => Promise<void>)[] = [];
  #closed = false;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    const clock = options.clock ?? systemClock;
    this.#budgets = options.budgets ?? new Budgets({ limits: NO_LIMITS });
    this.#limiter = options.limiter ?? new TurnLimiter({ max: Number.MAX_SAFE_INTEGER });
    this.#router =
      options.router ??
      heuristicRouter({
        coordinator: COORDINATOR,
        algorithm: "none",
        gates: { min_support: 0, min_confidence: 1, explore: 0 },
      });
    this.#records = new TaskRecords({
      repository: options.tasks,
      activity: options.activity,
      waiters: this.#waiters,
      clock,
      logger: this.#logger,
      owner: options.daemonName,
    });
    this.#pauses = new Pauses({
      records: this.#records,
      budgets: this.#budgets,
      enqueue: (task) => this.#enqueue(task),
    });
    this.#stopAnywhere = new StopAnywhere({
      records: this.#records,
      scheduler: options.scheduler,
      bus: options.bus,
    });
    this.#execution = new TaskExecution({
      agents: options.agents,
      records: this.#records,
      stopAnywhere: this.#stopAnywhere,
      clock,
      logger: this.#logger,
      activity: options.activity,
      tokens: options.tokens,
      stopGraceMs: options.stopGraceMs,
      limiter: this.#limiter,
      rateLimitRetries: options.rateLimitRetries ?? 0,
      compactAboveTokens: options.compactAboveTokens ?? null,
    });
    this.#recovery = new Recovery({
      records: this.#records,
      execution: this.#execution,
      scheduler: options.scheduler,
      agents: options.agentRecords,
      daemons: options.daemons,
      approvals: options.approvals,
      snapshots: options.snapshots,
      snapshotsPerAgent: options.snapshotsPerAgent,
      staleMs: options.staleDaemonMs,
      intervalMs: options.reconcileMs ?? 5_000,
      cancelWatchMs: 1_000,
      retentionMs: options.retentionMs,
      tokens: options.tokens,
      ...(options.reads ? { reads: options.reads } : {}),
      logger: this.#logger,
    });
  }

  /**
   * Hears cancels and ends from other daemons, recovers what a stopped or dead daemon
   * left (queued tasks run again; running ones resume or end interrupted), then starts
   * taking tasks from the scheduler.
   */
  async start(): Promise<void> {
    const { bus, scheduler } = this.#options;
    this.#unsubscribe.push(
      await subscribeTo(
        bus,
        ControlChannel,
        ({ cancel }) => {
          if (this.#execution.isRunning(cancel)) this.#execution.stop(cancel, "cancel").catch(() => {});
        },
        this.#dropInvalid,
      ),
      await subscribeTo(
        bus,
        ActivityChannel,
        (event) => {
          if (event.task_id && END_KINDS.has(event.kind)) this.#waiters.wake(event.task_id);
        },
        this.#dropInvalid,
      ),
    );
    // No agent of this daemon waits yet: approvals it left pending before a restart are moot.
    await this.#options.approvals
      .cancelOfDaemons([this.#options.daemonName], new Date())
      .catch((error: unknown) =>
        this.#logger.warn("could not cancel the approvals left from before a restart; they expire", {
          error: String(error),
        }),
      );
    await this.#recovery.reconcile();
    await scheduler.start(
      createRunHandler({
        records: this.#records,
        execution: this.#execution,
        taskTimeoutMs: this.#options.taskTimeoutMs,
        onRestart: this.#options.onRestart,
        waitForEnd: (id, timeoutMs) => this.waitFor(id, timeoutMs),
        workspaces: this.#options.workspaces,
        autoApply: this.#options.autoApply ?? false,
        memory: this.#options.memory ?? NO_MEMORY,
        router: this.#router,
        budgets: this.#budgets,
        closing: () => this.#closed,
        logger: this.#logger,
      }),
    );
    this.#recovery.start();
  }

  /**
   * Stores a new task as queued, then puts it in the scheduler's line. Resolves once the
   * task is in the database; if the line cannot take it now, the next reconciliation will.
   */
  async submit(request: {
    description: string;
    priority: TaskPriority;
    /** The project's root (see resolveProject); null or absent: none. */
    project?: string | null;
    /** An agent role to run it instead of the Coordinator; absent: the Coordinator. */
    role?: string;
    /**
     * The one agent that must run it (a message to that agent): it waits while the agent is
     * busy, and takes the agent's role and project. Refused unless the agent is live here.
     */
    agentId?: string;
    /** The most its team may spend; absent: `[budgets]`'s default. */
    budget?: TaskBudget;
  }): Promise<Task> {
    this.#refuseWhenClosed();
    const pinned =
      request.agentId === undefined ? undefined : this.#pinnedAgent(request.agentId, request.role);
    if (request.role !== undefined) this.#options.agents.checkRole(request.role);
    const project = pinned ? pinned.project : (request.project ?? null);
    const routing = {
      policy: "task",
      description: request.description,
      project,
      role: request.role,
    } as const;
    const route = pinned ? undefined : await this.#router.route(routing);
    const role = pinned?.role ?? route?.role;
    const task = await this.#records.create(
      {
        description: request.description,
        priority: request.priority,
        parent_id: null,
        project,
        budget: this.#budgets.forNewTask(request.budget),
      },
      pinned
        ? { role: pinned.role, agentId: pinned.id }
        : role === undefined || role === COORDINATOR
          ? undefined
          : { role },
      await this.#options.workspaces.forNewTask(project),
    );
    if (route) await this.#router.decided(task, routing, route);
    await this.#enqueue(task, pinned ? this.#records.owner : undefined);
    return task;
  }

  /** The live agent a message is for; refused, naming `cca agent list`, when it is not one. */
  #pinnedAgent(agentId: string, role: string | undefined): Agent {
    const agent = this.#options.agents.get(agentId);
    if (agent.state === "stopping" || agent.state === "stopped" || agent.state === "failed") {
      throw new CcaError(
        "agent_stopped",
        `Agent ${agentId} has ${agent.state === "failed" ? "failed" : "stopped"}, so it cannot take a message; list the live agents with GET /api/v1/agents (cca agent list), or spawn one with POST /api/v1/agents (cca agent spawn ${agent.role})`,
        { details: { agent_id: agentId, state: agent.state } },
      );
    }
    if (role !== undefined && role !== agent.role) {
      throw new CcaError(
        "bad_request",
        `Agent ${agentId} is a ${agent.role} agent, not a ${role} one; name the agent or the role, not both`,
        { details: { agent_id: agentId, role } },
      );
    }
    return agent;
  }

  /**
   * Stores a part of the task that agent `fromAgentId` is working on and puts it in the
   * parts' line, where this daemon or another runs it on an agent of `request.role`;
   * resolves with the ended part (completed or not; never throws for the part's own
   * failure) and, in worktree mode, what became of its changes: merged into the task's
   * branch here, in the delegating agent's worktree, or the conflict that stopped that.
   * Calls run in parallel. A part not ended by its deadline (its timeout, from now) is
   * cancelled; so is one whose caller aborts.
   */
  async delegate(
    fromAgentId: string,
    request: DelegationRequest,
    options: { signal?: AbortSignal; onCreated?: (subtask: Task) => void } = {},
  ): Promise<{ task: Task; merge: PartMerge | null }> {
    const from = this.#options.agents.get(fromAgentId);
    const task = await this.#runPart(from, request, options);
    const parent = task.parent_id === null ? undefined : await this.#records.read(task.parent_id);
    if (!parent || isTerminalStatus(parent.status)) return { task, merge: null };
    try {
      return { task, merge: await this.#options.workspaces.mergePart(parent, task, from.working_dir) };
    } catch (error) {
      this.#logger.warn("could not merge a part's changes", { task: task.id, error: String(error) });
      const failure = toCcaError(error);
      return {
        task,
        merge: {
          outcome: "not_merged",
          task_branch: parent.workspace?.branch ?? "",
          part_branch: task.workspace?.branch ?? "",
          files: [],
          conflicts: [],
          truncated: false,
          note: `CCA could not merge the part's changes (${failure.message}); they stay on ${task.workspace?.branch ?? "its branch"}.`,
        },
      };
    }
  }

  async #runPart(
    from: Agent,
    request: DelegationRequest,
    options: { signal?: AbortSignal; onCreated?: (subtask: Task) => void },
  ): Promise<Task> {
    this.#refuseWhenClosed();
    const parentId = from.current_task_id;
    if (!parentId) {
      throw new CcaError("bad_request", `Agent ${from.id} is not working on a task, so it cannot delegate`);
    }
    this.#options.agents.checkRole(request.role);
    const parent = await this.#records.read(parentId);
    const routing = {
      policy: "part",
      description: request.task,
      project: parent.project,
      role: request.role,
    } as const;
    const route = await this.#router.route(routing);
    const brief = {
      role: route.role,
      context: request.context ?? null,
      timeoutMs: request.timeout_s ? request.timeout_s * 1000 : null,
    };
    const part = await this.#records.create(
      { description: request.task, priority: parent.priority, parent_id: parentId, project: parent.project },
      { brief, fromRole: from.role },
    );
    await this.#router.decided(part, routing, route);
    options.onCreated?.(part);
    await this.#enqueue(part);
    const onAbort = () => void this.#stopQuietly(part.id, "cancel");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const deadline = partDeadline(part, brief, this.#options.taskTimeoutMs);
      // The daemon running the part ends it at its deadline; this wait only outlasts that.
      const { task, timedOut } = await this.waitFor(
        part.id,
        deadline - Date.now() + this.#endAllowanceMs(),
        options.signal,
      );
      if (!timedOut || options.signal?.aborted) return task;
      this.#logger.warn("a part did not end by its deadline; cancelling it", { task: part.id });
      return await this.#stopQuietly(part.id, "timeout");
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  get(id: string): Promise<Task> {
    return this.#records.get(id);
  }

  /** The parent of a task this daemon knows (null: top level; undefined: not known here). */
  parentOf(id: string): string | null | undefined {
    return this.#records.parentOf(id);
  }

  /** A page of tasks, newest first, filtered in the database. */
  list(filter: TaskListFilter = {}): Promise<TaskPage> {
    return this.#options.tasks.list(filter);
  }

  /** The task with its parts, recursively, and each node's usage including its subtree. */
  async tree(id: string): Promise<TaskTree> {
    const root = await this.get(id);
    const below = await this.#options.tasks.descendants(id);
    return buildTaskTree(root, (parentId) => below.filter((task) => task.parent_id === parentId));
  }

  /**
   * Resolves with the task once it has ended, or as it is when `timeoutMs` passes or
   * `signal` aborts. Woken by ends on this daemon or on the bus; looks again now and then.
   */
  async waitFor(
    id: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ task: Task; timedOut: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Looks at the row alone; a top-level task is read with its team totals once, to answer.
      const current = await this.#records.read(id);
      const answer = async () => (current.parent_id === null ? await this.get(id) : current);
      if (isTerminalStatus(current.status)) return { task: await answer(), timedOut: false };
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) return { task: await answer(), timedOut: true };
      await this.#waiters.wait(id, Math.min(WAIT_POLL_MS, remaining), signal);
    }
  }

  /**
   * Cancels a task and its parts: a queued or paused one at once, a running one by
   * interrupting its turn, wherever it runs.
   */
  async cancel(id: string): Promise<Task> {
    const task = await this.get(id);
    if (task.status === "paused") return this.#pauses.cancel(task);
    if (isTerminalStatus(task.status)) {
      throw new CcaError(
        "task_finished",
        `Task ${id} has already ${task.status === "interrupted" ? "been interrupted" : task.status}; only queued or running tasks can be cancelled`,
        { details: { task_id: id, status: task.status } },
      );
    }
    return await this.#stop(task, "cancel");
  }

  /**
   * Resumes a paused task with a new budget (see Pauses.resume): its paused parts and it go
   * back in line; resolves with it queued.
   */
  resume(id: string, request: ResumeTaskRequest = {}): Promise<Task> {
    this.#refuseWhenClosed();
    return this.#pauses.resume(id, request);
  }

  /** Stops a task wherever it is, and resolves with it once it ended (or the wait for that ran out). */
  async #stop(task: Task, reason: StopReason): Promise<Task> {
    if (this.#execution.isRunning(task.id)) await this.#execution.stop(task.id, reason);
    else await this.#stopAnywhere.stop(task, reason);
    return (await this.waitFor(task.id, this.#endAllowanceMs())).task;
  }

  /** `#stop` for a task that may have ended meanwhile: resolves with it as stored either way. */
  async #stopQuietly(id: string, reason: StopReason): Promise<Task> {
    try {
      return await this.#stop(await this.get(id), reason);
    } catch (error) {
      this.#logger.warn("could not stop a task", { task: id, reason, error: (error as Error).message });
      return await this.get(id);
    }
  }

  /** How long a stopped task may take to end: an interrupt's grace, then the agent's stop. */
  #endAllowanceMs(): number {
    return this.#options.stopGraceMs * 3 + 1_000;
  }

  /**
   * Puts a stored task in line (a pinned one in `daemon`'s); if the line cannot take it now,
   * the next reconciliation will.
   */
  async #enqueue(task: Task, daemon?: string): Promise<void> {
    try {
      await this.#options.scheduler.enqueue(scheduleEntry(task, daemon));
    } catch (error) {
      this.#logger.warn(
        "the task is stored but could not be queued yet; it will be queued when the queue is back",
        { task: task.id, error: (error as Error).message },
      );
    }
  }

  /**
   * Stops taking tasks and stops the running ones: each resumes after a restart (or on
   * another daemon) or ends interrupted, as `daemon.on_restart` says. Queued tasks stay
   * queued in the repository and run after the restart.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.#recovery.stop();
    const stopping = Promise.all(
      this.#execution.runningIds().map((id) => this.#execution.stop(id, "shutdown")),
    );
    this.#limiter.close();
    await Promise.all([stopping, this.#options.scheduler.stop()]);
    for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe().catch(() => {});
  }

  /** Notes on the task what applying its branch did (`task.workspace.applied`). */
  async recordApplied(id: string, applied: string): Promise<Task> {
    const task = await this.get(id);
    if (!task.workspace) return task;
    return this.#records.update(id, { workspace: { ...task.workspace, applied } });
  }

  /** How many task turns may call the API at once now, and those running and waiting (rate limits). */
  turns(): TurnLimiterView {
    return this.#limiter.view();
  }

  /** Task counts by status. */
  countByStatus(): Promise<Record<string, number>> {
    return this.#options.tasks.countByStatus();
  }

  readonly #dropInvalid = (problem: string) => this.#logger.warn("dropped a bus message", { problem });

  #refuseWhenClosed(): void {
    if (this.#closed)
      throw new CcaError("shutting_down", "The daemon is shutting down and accepts no new tasks");
  }
}

export { COORDINATOR };
