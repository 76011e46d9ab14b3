import {
  type Agent,
  addUsage,
  type CcaError,
  type Clock,
  type ErrorInfo,
  emptyUsage,
  isTerminalStatus,
  type Logger,
  settlesWithin,
  type Task,
  type TokenUsage,
  toCcaError,
} from "@cca/core";
import type { TokenUsageRepository } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import type { TurnResult } from "../agents/agent-driver.js";
import type { AgentManager } from "../agents/agent-manager.js";
import { Compaction } from "./compaction.js";
import { crashedTwiceError, crashRetryNote, isCrash } from "./crash-retry.js";
import { isRateLimited, RATE_LIMIT_RETRY_NOTE } from "./rate-limit-signals.js";
import type { StopAnywhere } from "./stop-anywhere.js";
import { type StopReason, stopBeforeStartError, stopError, stopStatus, turnError } from "./task-outcomes.js";
import type { TaskRecords, TurnFields } from "./task-records.js";
import { TurnLimiter } from "./turn-limiter.js";

interface RunningTask {
  agentId: string | null;
  /** Tokens of the daemon's own turns for it (a compaction first), added to its usage at the end. */
  housekeeping: TokenUsage;
  stopReason: StopReason | null;
  /** Aborts its waits: for an agent (or a restarted one), and for room under the rate limit. */
  reservation: AbortController;
  /** Settles when the task has left this daemon (ended or requeued). */
  left: Promise<void>;
  leave(): void;
}

/** What happens in the agent's folder around a turn (see Workspaces): readied first, its changes kept after. */
export interface TurnWorkspace {
  /** Once the agent is known, before its turn: readies its folder; returns a note for the prompt, if any. */
  prepare(agent: Agent): Promise<string | null>;
  /** After the turn however it ended (null: it threw): keeps what the agent changed. */
  settle(agent: Agent, turn: TurnResult | null): Promise<void>;
}

interface ExecuteOptions {
  timeoutMs: number;
  ancestors: string[];
  /** The one agent that must run it (a message to that agent); null: any agent of the role. */
  agentId?: string | null;
  onShutdown: "requeue" | "interrupt";
  workspace?: TurnWorkspace;
  /**
   * Asked when the turn ended well: why the task pauses instead of completing (parts of it
   * were paused for a budget), or null. Its answer so far is kept either way.
   */
  pauseAtEnd?: () => Promise<ErrorInfo | null>;
}

/** The largest delay Node's timers take; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs tasks on this daemon's agents, one turn each, and stops them from outside (cancel,
 * timeout, shutdown, parent ended). No wait on an agent is unbounded: an interrupt that
 * gets no answer within `stopGraceMs` stops the agent (SIGTERM, then SIGKILL).
 */
export class TaskExecution {
  readonly #agents: AgentManager;
  readonly #records: TaskRecords;
  readonly #stopAnywhere: StopAnywhere;
  readonly #logger: Logger;
  readonly #activity: ActivityLog | undefined;
  readonly #tokens: Pick<TokenUsageRepository, "record"> | undefined;
  readonly #stopGraceMs: number;
  readonly #limiter: TurnLimiter;
  readonly #rateLimitRetries: number;
  readonly #compaction: Compaction;
  readonly #running = new Map<string, RunningTask>();

  constructor(options: {
    agents: AgentManager;
    records: TaskRecords;
    /** Stops the parts that run on other daemons, or wait in line. */
    stopAnywhere: StopAnywhere;
    clock: Clock;
    logger: Logger;
    /** Where a crashed turn's retry is recorded. */
    activity?: ActivityLog;
    /** Where each turn's tokens are recorded (`token_usage`). */
    tokens?: Pick<TokenUsageRepository, "record">;
    stopGraceMs: number;
    /** How many turns call the API at once (rate limits); default: no limit. */
    limiter?: TurnLimiter;
    /** A turn that fails on a rate limit is tried again this many times, after the limiter's wait. */
    rateLimitRetries?: number;
    /** Compact an agent's conversation before its turn once its context passes this many tokens; null: never. */
    compactAboveTokens?: number | null;
  }) {
    this.#agents = options.agents;
    this.#records = options.records;
    this.#stopAnywhere = options.stopAnywhere;
    this.#logger = options.logger;
    this.#activity = options.activity;
    this.#tokens = options.tokens;
    this.#stopGraceMs = options.stopGraceMs;
    this.#limiter = options.limiter ?? new TurnLimiter({ max: Number.MAX_SAFE_INTEGER });
    this.#rateLimitRetries = options.rateLimitRetries ?? 0;
    this.#compaction = new Compaction({
      agents: options.agents,
      limiter: this.#limiter,
      aboveTokens: options.compactAboveTokens ?? null,
      ...(options.activity ? { activity: options.activity } : {}),
      logger: options.logger,
    });
  }

  /** Ids of the tasks running here now. */
  runningIds(): string[] {
    return [...this.#running.keys()];
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  /**
   * Runs one started task as one turn of an agent of `role`; resolves with the task as
   * stored at the end. A task stopped by shutdown ends `interrupted` unless `onShutdown`
   * is "requeue", when it goes back to queued (its end is then another daemon's, or the
   * next start's).
   */
  async execute(task: Task, role: string, prompt: string, options: ExecuteOptions): Promise<Task> {
    const { id } = task;
    let leave = () => {};
    const left = new Promise<void>((resolve) => {
      leave = resolve;
    });
    const running: RunningTask = {
      agentId: null,
      housekeeping: emptyUsage(),
      stopReason: null,
      reservation: new AbortController(),
      left,
      leave,
    };
    this.#running.set(id, running);
    const timer = setTimeout(() => void this.stop(id, "timeout"), Math.min(options.timeoutMs, MAX_TIMER_MS));
    let ended: Task | undefined;
    let unrecorded: unknown;
    try {
      ended = await this.#runTurn(task, role, prompt, running, options);
    } catch (error) {
      const failure = toCcaError(error);
      if (failure.code === "dependency_unavailable" && !running.stopReason && task.parent_id === null) {
        // The database went away mid-run: the task did not fail, its record could not be
        // written. Left running, it resumes when the scheduler hands it out again. (A part
        // has no scheduler behind it: it ends failed, and its delegation with it.)
        unrecorded = failure;
      } else {
        try {
          ended = await this.#end(id, running, options, failure.toJSON());
        } catch (endFailure) {
          unrecorded = endFailure;
        }
      }
    } finally {
      clearTimeout(timer);
      this.#running.delete(id);
      running.leave();
    }
    await this.#endChildren(id, ended);
    if (ended) return ended;
    // The end could not be stored (the database is down): the caller must not take the task
    // for ended. The scheduler retries its handler, which finds it still running and resumes it.
    this.#logger.error("could not record the progress or the end of a task; it stays running", {
      task: id,
      error: String(unrecorded),
    });
    throw unrecorded;
  }

  /**
   * Reserves an agent and runs the task's turn on it. A turn whose agent crashed is retried
   * once: on the same agent restarted in its conversation, else on another; a second crash
   * fails the task, naming both.
   */
  async #runTurn(
    task: Task,
    role: string,
    prompt: string,
    running: RunningTask,
    options: ExecuteOptions,
  ): Promise<Task> {
    const reserve = () =>
      this.#agents.reserve(role, task.id, {
        signal: running.reservation.signal,
        ancestors: options.ancestors,
        project: task.project,
        ...(options.agentId ? { agentId: options.agentId } : {}),
      });
    let agent = await reserve();
    running.agentId = agent.id;
    let crash: { error: CcaError; note: string } | null = null;
    let rateLimited = 0;
    try {
      for (;;) {
        await this.#records.update(task.id, { agent_id: agent.id, session_id: agent.session_id });
        if (running.stopReason) throw stopError(running.stopReason, options.timeoutMs);
        const note = (await options.workspace?.prepare(agent)) ?? null;
        if (running.stopReason) throw stopError(running.stopReason, options.timeoutMs);
        if (!crash && rateLimited === 0) {
          const compacted = await this.#compaction.before(
            task,
            role,
            agent.id,
            options.ancestors,
            running.reservation.signal,
          );
          if (compacted) {
            addUsage(running.housekeeping, compacted.usage);
            await this.#recordTokens(task, role, agent.id, compacted, options.ancestors, "compact");
          }
        }
        if (running.stopReason) throw stopError(running.stopReason, options.timeoutMs);
        const retryNote = rateLimited > 0 ? RATE_LIMIT_RETRY_NOTE : null;
        const notes = [note, crash?.note, retryNote].filter((line) => line !== null && line !== undefined);
        let turn: TurnResult;
        // Waits while the API's rate limit holds turns back; a stop ends the wait.
        const release = await this.#limiter.acquire(task.id, options.ancestors, running.reservation.signal);
        try {
          turn = await this.#agents.runTurn(agent.id, task.id, [prompt, ...notes].join("\n\n"));
        } catch (error) {
          await options.workspace?.settle(agent, null).catch((settling: unknown) =>
            this.#logger.warn("could not keep the changes of a turn that failed", {
              task: task.id,
              error: String(settling),
            }),
          );
          if (!isCrash(error) || running.stopReason) throw error;
          if (crash) throw crashedTwiceError(crash.error, error, agent.id);
          const retry = await this.#agentForRetry(task, agent, running, reserve);
          crash = { error, note: crashRetryNote(error, retry.id === agent.id) };
          this.#activity?.record("task.retried", {
            task_id: task.id,
            agent_id: retry.id,
            summary: `retrying once after ${error.message}, on ${retry.id === agent.id ? "the restarted agent" : "another agent"} ${retry.id}`,
          });
          agent = retry;
          continue;
        } finally {
          release();
        }
        await this.#recordTokens(task, role, agent.id, turn, options.ancestors);
        if (!isRateLimited(turn)) this.#limiter.succeeded();
        else if (rateLimited < this.#rateLimitRetries && !running.stopReason) {
          rateLimited += 1;
          this.#retryAfterRateLimit(task, agent.id, turn, rateLimited);
          continue;
        }
        await options.workspace?.settle(agent, turn);
        return await this.#complete(task, turn, running, options);
      }
    } finally {
      this.#agents.release(agent.id);
    }
  }

  /**
   * The agent a crashed turn is retried on: the same one once restarted in its conversation,
   * or, when it does not come back (restart budget spent, restarts off), a new reservation.
   * While it waits the task holds no agent, so a stop aborts the wait.
   */
  async #agentForRetry(
    task: Task,
    crashed: Agent,
    running: RunningTask,
    reserve: () => Promise<Agent>,
  ): Promise<Agent> {
    running.agentId = null;
    if (running.stopReason) throw stopError(running.stopReason, 0);
    const restarted = await this.#agents.restarted(crashed.id, task.id, {
      signal: running.reservation.signal,
    });
    if (restarted) {
      running.agentId = restarted.id;
      return restarted;
    }
    this.#agents.release(crashed.id);
    this.#logger.warn("a crashed agent did not come back; retrying the task on another", {
      task: task.id,
      agent: crashed.id,
    });
    const next = await reserve();
    running.agentId = next.id;
    return next;
  }

  /** A turn the API refused for its rate limit: new turns wait, then this one is tried again. */
  #retryAfterRateLimit(task: Task, agentId: string, turn: TurnResult, attempt: number): void {
    const { waitMs } = this.#limiter.rateLimited(null);
    this.#activity?.record("task.retried", {
      task_id: task.id,
      agent_id: agentId,
      summary: `the API answered HTTP ${turn.apiErrorStatus} (rate limited) once Claude Code's retries were spent; trying the turn again in ${Math.ceil(waitMs / 1000)} s (${attempt} of ${this.#rateLimitRetries})`,
    });
  }

  /** Records a turn's tokens for reports; a failure to is logged, and costs the task nothing. */
  async #recordTokens(
    task: Task,
    role: string,
    agentId: string,
    turn: TurnResult,
    ancestors: readonly string[],
    kind: "turn" | "compact" = "turn",
  ): Promise<void> {
    await this.#tokens
      ?.record({
        kind,
        taskId: task.id,
        rootTaskId: ancestors.at(-1) ?? task.id,
        agentId,
        role,
        project: task.project,
        model: turn.model ?? null,
        usage: turn.usage,
        cacheWrites: turn.cacheWrites,
      })
      .catch((error: unknown) =>
        this.#logger.warn("could not record a turn's tokens", { task: task.id, error: String(error) }),
      );
  }

  /**
   * Ends the task as its turn did, writing the turn's session, tokens (added to what its
   * earlier turns spent, if it resumed) and time in the same update.
   */
  async #complete(
    task: Task,
    turn: TurnResult,
    running: RunningTask,
    options: Pick<ExecuteOptions, "timeoutMs" | "onShutdown" | "pauseAtEnd">,
  ): Promise<Task> {
    const fields: TurnFields = {
      session_id: turn.sessionId,
      num_turns: turn.numTurns,
      agent_duration_ms: turn.durationMs,
      usage: addUsage(addUsage(addUsage(emptyUsage(), task.usage), running.housekeeping), turn.usage),
    };
    const { id } = task;
    if (running.stopReason || turn.interrupted) return this.#end(id, running, options, null, fields);
    if (turn.isError) return this.#records.finish(id, "failed", { error: turnError(turn), turn: fields });
    const pause = await this.#pauseAtEnd(id, options);
    if (pause) {
      const paused = await this.#records.pause(id, pause, { result: turn.text, turn: fields }, ["running"]);
      if (paused) return paused;
    }
    return this.#records.finish(id, "completed", { result: turn.text, turn: fields });
  }

  /** Why the task pauses at its turn's end, if it does; a failure to tell completes it, logged. */
  async #pauseAtEnd(id: string, options: Pick<ExecuteOptions, "pauseAtEnd">): Promise<ErrorInfo | null> {
    try {
      return (await options.pauseAtEnd?.()) ?? null;
    } catch (error) {
      this.#logger.warn("could not tell whether a task pauses for its budget; it completes", {
        task: id,
        error: String(error),
      });
      return null;
    }
  }

  /** Ends a task that was stopped or failed: as its stop reason says, else failed with `error`. */
  async #end(
    id: string,
    running: RunningTask,
    options: { timeoutMs: number; onShutdown: "requeue" | "interrupt" },
    error: { code: string; message: string } | null,
    turn: TurnFields = {},
  ): Promise<Task> {
    const reason = running.stopReason ?? (error ? null : "cancel");
    if (reason === "shutdown" && options.onShutdown === "requeue") {
      const requeued = await this.#records.requeue(id, turn);
      if (requeued) return requeued;
    }
    if (reason) {
      return this.#records.finish(id, stopStatus(reason), {
        error: stopError(reason, options.timeoutMs).toJSON(),
        turn,
      });
    }
    return this.#records.finish(id, "failed", { error: error ?? undefined, turn });
  }

  /**
   * Parts still unfinished when their parent ends have nobody to report to: stop them. A
   * parent that ended rather than paused will never resume its paused parts: cancel those.
   */
  async #endChildren(parentId: string, ended: Task | undefined): Promise<void> {
    await this.#stopChildren(parentId, "parent_ended");
    if (!ended || ended.status === "paused") return;
    const below = await this.#records.repository.descendants(parentId).catch(() => [] as Task[]);
    for (const part of below.filter((task) => task.status === "paused")) {
      await this.#records
        .finish(part.id, "cancelled", { error: stopBeforeStartError("parent_ended").toJSON() }, ["paused"])
        .catch((error: unknown) =>
          this.#logger.warn("could not cancel a paused part", { task: part.id, error: String(error) }),
        );
    }
  }

  /** Stops a task's unfinished parts: here, in line or on another daemon. */
  async #stopChildren(parentId: string, reason: StopReason): Promise<void> {
    const children = await this.#records.repository.children(parentId).catch(() => [] as Task[]);
    const open = children.filter((child) => !isTerminalStatus(child.status));
    await Promise.all(
      open.map((child) =>
        this.#running.has(child.id)
          ? this.stop(child.id, reason)
          : this.#stopAnywhere
              .stop(child, reason)
              .catch((error: unknown) =>
                this.#logger.warn("could not stop a part", { task: child.id, error: String(error) }),
              ),
      ),
    );
  }

  /**
   * Stops a task running here, and its parts: interrupts the agent's turn, and stops the
   * agent if the turn has not ended within the grace period. Resolves when done trying.
   */
  async stop(id: string, reason: StopReason): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    running.stopReason ??= reason;
    const stoppingChildren = this.#stopChildren(id, reason);
    // Ends any wait: for an agent, a restarted one, or room under the rate limit.
    running.reservation.abort(stopError(reason, 0));
    if (!running.agentId) {
      await stoppingChildren;
      return;
    }
    const agentId = running.agentId;
    const answered = await this.#agents
      .interrupt(agentId, { deadlineMs: this.#stopGraceMs })
      .catch(() => false);
    const leftInTime = answered && (await settlesWithin(running.left, this.#stopGraceMs));
    if (!leftInTime && this.#running.has(id)) {
      this.#logger.warn("the interrupted turn did not end in time; stopping the agent", {
        task: id,
        agent: agentId,
      });
      await this.#agents.stop(agentId).catch(() => {});
    }
    await stoppingChildren;
  }
}
