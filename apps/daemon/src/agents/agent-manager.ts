import {
  type Agent,
  type AgentDriverKind,
  type AgentState,
  addUsage,
  CcaError,
  type Clock,
  isoTime,
  type Logger,
  noopLogger,
  systemClock,
} from "@cca/core";
import type { PtySession } from "@cca/pty";
import { AgentChanges } from "./agent-changes.js";
import type { AgentDriverEvents, TurnResult } from "./agent-driver.js";
import { AgentLauncher } from "./agent-launcher.js";
import type { AgentManagerOptions } from "./agent-manager-options.js";
import { AgentReservations, type ReserveOptions } from "./agent-reservations.js";
import { AgentRoster } from "./agent-roster.js";
import { AgentTimers } from "./agent-timers.js";
import { runAgentTurn } from "./agent-turn.js";
import { agentView } from "./agent-view.js";
import { CrashRestarts } from "./crash-restarts.js";
import { ACTIVE_STATES, type ManagedAgent } from "./managed-agent.js";
import { deliverMessage } from "./message-delivery.js";
import { processTreeRss, type RssReader } from "./process-memory.js";
import { RestartPolicy } from "./restart-policy.js";
import { WarmPool } from "./warm-pool.js";

export type { AgentManagerOptions } from "./agent-manager-options.js";

/** The fewest turns of a conversation Claude Code's `/compact` will compact. */
const MIN_TURNS_TO_COMPACT = 2;

/**
 * Starts, tracks and stops agents; runs turns on them and keeps their records current. An
 * agent whose process crashes is restarted in its conversation, within the restart budget;
 * the warm pool keeps ready agents per role (`agents.warm`).
 */
export class AgentManager {
  readonly #options: AgentManagerOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #agents = new AgentRoster();
  readonly #changes = new AgentChanges();
  readonly #rss: RssReader;
  readonly #timers: AgentTimers;
  readonly #restarts: CrashRestarts;
  readonly #warm: WarmPool;
  readonly #launcher: AgentLauncher;
  readonly #reservations: AgentReservations;
  #closed = false;

  constructor(options: AgentManagerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock ?? systemClock;
    this.#rss = options.rss ?? processTreeRss;
    const idleTimeoutMs = options.idleTimeoutMs ?? options.config.idle_timeout_s * 1000;
    this.#timers = new AgentTimers({
      idleTimeoutMs,
      stoppedRetentionMs: options.stoppedRetentionMs ?? options.config.stopped_retention_s * 1000,
      onIdle: (agent) => {
        this.#logger.info("stopping an idle agent; its conversation is kept", {
          agent: agent.record.id,
          idle_ms: idleTimeoutMs,
        });
        void this.#stopAgent(agent, { keepConversation: true });
      },
      onRetentionEnd: (agent) => this.#agents.remove(agent),
    });
    const policy = new RestartPolicy(options.config);
    this.#restarts = new CrashRestarts({
      policy,
      config: options.config,
      activity: options.activity,
      clock: this.#clock,
      logger: this.#logger,
      host: {
        get: (id) => this.#agents.get(id),
        launch: (relaunch) => this.#launcher.relaunch(relaunch),
        setState: (agent, state) => this.#setState(agent, state),
        keepConversation: (agent) => void this.#keepConversation(agent),
        restore: async (agent) => this.#options.snapshots?.restore(agent),
        gaveUp: (agent) => {
          // Paces the warm agents that take its place, so a role that keeps crashing is no loop.
          if (agent.warm) this.#warm.failed({ role: agent.record.role, project: agent.record.project });
        },
        nextChange: (signal) => this.#changes.next(signal),
        closed: () => this.#closed,
      },
    });
    this.#warm = new WarmPool({
      target: options.config.warm,
      lapseMs: idleTimeoutMs,
      policy,
      clock: this.#clock,
      logger: this.#logger,
      host: {
        agents: () => this.#agents.values(),
        freeSlots: () => this.#options.maxAgents - this.activeCount - this.#reservations.waiting,
        spawn: (slot) => this.#launcher.spawn(slot.role, slot.project, { warm: true }),
        stop: (agent) => void this.#stopAgent(agent, { keepConversation: true }),
        settled: () => this.#changes.notify(),
        working: () =>
          [...this.#agents.values()].some(
            (agent) => agent.record.state === "busy" || agent.record.state === "waiting_input",
          ),
        closed: () => this.#closed,
      },
    });
    this.#launcher = new AgentLauncher({
      options,
      roster: this.#agents,
      timers: this.#timers,
      clock: this.#clock,
      logger: this.#logger,
      host: {
        setState: (agent, state) => this.#setState(agent, state),
        assign: (agent, taskId) => this.#assign(agent, taskId),
        setWaitingInput: (agentId, waiting) => this.setWaitingInput(agentId, waiting),
        typedTurn: (agent, turn) => this.#typedTurn(agent, turn),
        crashed: (agent, what) => this.#restarts.crashed(agent, what),
        closed: () => this.#closed,
      },
    });
    this.#reservations = new AgentReservations({
      roster: this.#agents,
      changes: this.#changes,
      warm: this.#warm,
      maxAgents: options.maxAgents,
      logger: this.#logger,
      host: {
        assign: (agent, taskId) => this.#assign(agent, taskId),
        spawn: (role, project, taskId) => this.#launcher.spawn(role, project, { reserveFor: taskId }),
        evict: (agent) => this.#stopAgent(agent, { keepConversation: true }),
        isRestarting: (agent) => this.#restarts.isRestarting(agent),
      },
    });
  }

  /** The agents, with the resident memory of each live one (`rss_bytes`); stopped ones until their retention ends. */
  list(): Agent[] {
    return [...this.#agents.values()].map((agent) => agentView(agent, this.#rss));
  }

  has(id: string): boolean {
    return this.#agents.has(id);
  }

  /** The terminal an agent's process runs in, for people to watch and type into; null for a headless agent. */
  terminal(id: string): PtySession | null {
    return this.#managed(id).driver.terminal;
  }

  get(id: string): Agent {
    return agentView(this.#managed(id), this.#rss);
  }

  /** Throws `unknown_role`, naming the known roles, unless `role` is one. */
  checkRole(role: string): void {
    this.#options.catalog.profile(role);
  }

  /** How many agents are alive (starting, ready or busy). */
  get activeCount(): number {
    return this.#agents.activeCount;
  }

  /**
   * Starts a new agent of `role` and resolves once it is ready; `driver` overrides the
   * role's (e.g. an interactive agent of a headless role, to watch or sit in).
   */
  async spawn(role: string, options: { driver?: AgentDriverKind } = {}): Promise<Agent> {
    const agent = await this.#launcher.spawn(role, null, { driver: options.driver });
    return structuredClone(agent.record);
  }

  /**
   * Fills the warm pool (`agents.warm`) as far as free slots allow; resolves once the
   * agents it started are ready or could not start. The pool refills itself from then on.
   */
  async warmUp(): Promise<void> {
    await this.#warm.replenish();
  }

  /**
   * Reserves an agent of `role` for `taskId` (its state becomes busy): an idle one (a warm
   * one last), else a new one while a slot is free, else a new one in the place of the
   * least recently used idle agent; else it waits until one of those becomes possible.
   * `ancestors` are the tasks waiting on this one: if they hold every slot, waiting would
   * never end, so it fails with `agent_limit_reached` instead. With `agentId`, only that
   * agent will do: it waits while the agent is busy, and fails with `agent_stopped` once the
   * agent is gone.
   */
  async reserve(role: string, taskId: string, options: ReserveOptions = {}): Promise<Agent> {
    this.#options.catalog.profile(role);
    return this.#reservations.reserve(role, taskId, options);
  }

  /**
   * Ends a reservation: the agent is idle again, if it is still up (and kept by the warm pool
   * if that is short of its kind). An agent that stopped and has left the list since
   * (`stoppedRetentionMs`) has nothing to release; one restarting after a crash comes up idle.
   */
  release(agentId: string): void {
    const agent = this.#agents.get(agentId);
    if (!agent) return;
    agent.record.current_task_id = null;
    if (agent.record.state === "busy" || agent.record.state === "waiting_input") {
      if (this.#warm.short({ role: agent.record.role, project: agent.record.project })) agent.warm = true;
      this.#setState(agent, "ready");
    }
  }

  /**
   * After a turn of `taskId` on the agent failed with `agent_crashed`: resolves with the
   * agent once it is restarted in its conversation, still reserved for the task; null when
   * it will not come back for it (its restart budget is spent, it was stopped, restarts are
   * off, or the restart took longer than its backoff and start-up allow). Rejects when
   * `signal` aborts.
   */
  async restarted(
    agentId: string,
    taskId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Agent | null> {
    return this.#restarts.restarted(agentId, taskId, options.signal);
  }

  /**
   * Marks a busy agent as waiting for a person (an approval: `waiting_input`), or, with
   * `false`, as busy again; an agent in any other state is left as it is.
   */
  setWaitingInput(agentId: string, waiting: boolean): void {
    const agent = this.#agents.get(agentId);
    if (!agent) return;
    if (waiting && agent.record.state === "busy") this.#setState(agent, "waiting_input");
    if (!waiting && agent.record.state === "waiting_input") this.#setState(agent, "busy");
  }

  /**
   * Runs one turn on an agent reserved for `taskId`, keeping its activity and token totals
   * current. Rejects with `agent_crashed` when its process dies, or is restarting after it did.
   */
  async runTurn(agentId: string, taskId: string, prompt: string): Promise<TurnResult> {
    return this.#runReservedTurn(this.#reservedFor(agentId, taskId), { taskId, prompt });
  }

  /**
   * Compacts the conversation of a headless agent reserved for `taskId` (Claude Code's
   * `/compact`, told what to keep in `instructions`) when its conversation has grown to at
   * least `aboveTokens`: what its last request sent beyond the smallest any sent (the
   * tools and system prompt that every request carries). Resolves with that turn, or null
   * when it was not needed.
   */
  async compactIfOver(
    agentId: string,
    taskId: string,
    aboveTokens: number,
    instructions: string,
  ): Promise<TurnResult | null> {
    const agent = this.#reservedFor(agentId, taskId);
    // Claude Code compacts nothing shorter than two exchanges ("Not enough messages to compact").
    if (agent.driver.kind !== "headless" || agent.turns < MIN_TURNS_TO_COMPACT) return null;
    if ((agent.contextTokens ?? 0) - (agent.baseContextTokens ?? 0) < aboveTokens) return null;
    const turn = await this.#runReservedTurn(agent, {
      taskId,
      prompt: `/compact ${instructions}`,
      housekeeping: true,
    });
    // Measured again by its next turn; one that could not compact is not asked again at once.
    agent.contextTokens = turn.compacted?.postTokens ?? null;
    return turn;
  }

  /** The agent, if it is live and reserved for `taskId`; else why not. */
  #reservedFor(agentId: string, taskId: string): ManagedAgent {
    const agent = this.#managed(agentId);
    if (this.#restarts.isRestarting(agent)) {
      throw new CcaError("agent_crashed", agent.record.last_error?.message ?? `Agent ${agentId} crashed`, {
        details: { agent_id: agentId },
      });
    }
    if (agent.record.state !== "busy" || agent.record.current_task_id !== taskId) {
      throw new CcaError("internal", `Agent ${agentId} is not reserved for task ${taskId}`);
    }
    return agent;
  }

  #runReservedTurn(
    agent: ManagedAgent,
    turn: { taskId: string; prompt: string; housekeeping?: boolean },
  ): Promise<TurnResult> {
    return runAgentTurn(agent, turn, {
      activity: this.#options.activity,
      onChange: this.#options.onChange,
      snapshots: this.#options.snapshots,
      reads: this.#options.reads,
      clock: this.#clock,
      logger: this.#logger,
    });
  }

  /**
   * Leaves a message for agents: `to` is an agent id, a role (every live agent of it), or
   * "*" (every live agent but the sender). Returns the ids it reached; they read it at the
   * start of their next turn.
   */
  deliver(fromAgentId: string, to: string, message: string): string[] {
    const from = this.#managed(fromAgentId);
    const live = this.#agents.active().filter((agent) => agent !== from);
    const at = isoTime(this.#clock);
    return deliverMessage({ from, live, to, message, at, activity: this.#options.activity });
  }

  /**
   * Interrupts the agent's running turn, if any; the agent stays up. Resolves within
   * `deadlineMs` (default 5000): true once the turn ended or Claude Code acknowledged,
   * false when it did not answer in time (hung): then `stop()` the agent.
   */
  async interrupt(agentId: string, options: { deadlineMs?: number } = {}): Promise<boolean> {
    return await this.#managed(agentId).driver.interrupt(options);
  }

  /**
   * Stops one agent, in bounded time even if it hangs (see AgentDriver.stop); resolves with
   * its final record. A stopped agent is not restarted, nor is one waiting to be.
   */
  async stop(agentId: string): Promise<Agent> {
    const agent = this.#managed(agentId);
    await this.#stopAgent(agent);
    return structuredClone(agent.record);
  }

  /** Stops every agent (shutdown), and any restart waiting; no agent may start afterwards. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    this.#warm.close();
    await Promise.all(
      [...this.#agents.values()].map((agent) => this.#stopAgent(agent, { keepConversation: true })),
    );
    for (const agent of this.#agents.values()) this.#timers.clear(agent);
  }

  /** Stops the agent; with `keepConversation`, a later agent of its role resumes its conversation. */
  async #stopAgent(agent: ManagedAgent, options: { keepConversation?: boolean } = {}): Promise<void> {
    if (!ACTIVE_STATES.has(agent.record.state)) return;
    agent.stopping = true;
    if (agent.restartTimer) clearTimeout(agent.restartTimer);
    agent.restartTimer = null;
    this.#setState(agent, "stopping");
    await agent.driver.stop(this.#options.stopGraceMs);
    // A process that had ended already (a crashed agent waiting for its restart) tells no exit.
    if (agent.record.state === "stopping") this.#setState(agent, "stopped");
    if (agent.turns > 0) await this.#options.snapshots?.save(structuredClone(agent.record), "stop");
    if (options.keepConversation) await this.#keepConversation(agent);
  }

  async #keepConversation(agent: ManagedAgent): Promise<void> {
    if (agent.turns === 0 && agent.record.tasks_completed === 0) return;
    await this.#options.conversations?.keep(agent.record.id).catch((error: unknown) => {
      this.#logger.warn("could not keep an agent's conversation", {
        agent: agent.record.id,
        error: String(error),
      });
    });
  }

  /**
   * A person's turn in an idle agent's terminal (attach): the agent is busy, so no task is
   * handed to it, until the turn ends; its tokens count in the agent's totals and in the token
   * reports, as a turn of no task. (A turn typed
   * while a task's turn runs is queued by Claude Code behind it, and CCA's next turn waits.)
   */
  #typedTurn(agent: ManagedAgent, turn: Parameters<AgentDriverEvents["typedTurn"]>[0]): void {
    if (turn.phase === "started") {
      if (agent.record.state !== "ready") return;
      agent.typing = true;
      this.#setState(agent, "busy");
      return;
    }
    addUsage(agent.record.usage, turn.result.usage);
    void this.#options.tokens
      ?.record({
        kind: "turn",
        taskId: null,
        rootTaskId: null,
        agentId: agent.record.id,
        role: agent.record.role,
        project: agent.record.project,
        model: turn.result.model ?? null,
        usage: turn.result.usage,
        cacheWrites: turn.result.cacheWrites,
      })
      .catch((error: unknown) =>
        this.#logger.warn("could not record a typed turn's tokens", {
          agent: agent.record.id,
          error: String(error),
        }),
      );
    if (agent.typing) {
      agent.typing = false;
      if (agent.record.state === "busy" || agent.record.state === "waiting_input")
        this.#setState(agent, "ready");
    }
    this.#options.onChange?.(structuredClone(agent.record));
  }

  #assign(agent: ManagedAgent, taskId: string): void {
    agent.record.current_task_id = taskId;
    this.#setState(agent, "busy");
  }

  #managed(id: string): ManagedAgent {
    const agent = this.#agents.get(id);
    if (!agent) {
      throw new CcaError("agent_not_found", `No agent with id "${id}"; list agents with GET /api/v1/agents`, {
        details: { agent_id: id },
      });
    }
    return agent;
  }

  #setState(agent: ManagedAgent, state: AgentState): void {
    if (agent.record.state === state) return;
    agent.record.state = state;
    if (!this.#closed) this.#timers.follow(agent, state);
    else this.#timers.clear(agent);
    this.#changes.notify();
    agent.record.last_activity_at = isoTime(this.#clock);
    this.#options.onChange?.(structuredClone(agent.record));
    const kind = state === "stopped" ? "agent.stopped" : "agent.state";
    this.#options.activity.record(kind, {
      agent_id: agent.record.id,
      task_id: agent.record.current_task_id,
      summary: `${agent.record.role}: ${state}`,
    });
    // A slot freed, or the last turn ended: the warm pool may refill.
    if ((state === "stopped" || state === "failed" || state === "ready") && this.#agents.isCurrent(agent))
      void this.#warm.replenish();
  }
}
