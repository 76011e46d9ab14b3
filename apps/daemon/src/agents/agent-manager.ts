import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Agent,
  type AgentDriverKind,
  type AgentState,
  addUsage,
  CcaError,
  type Clock,
  type Config,
  isoTime,
  type Logger,
  newId,
  noopLogger,
  systemClock,
} from "@cca/core";
import type { PtySession } from "@cca/pty";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { AgentDriverFactory, TurnResult } from "./agent-driver.js";
import { type ConversationShelf, type SnapshotTaker, startingRecord } from "./agent-parts.js";
import { AgentTimers } from "./agent-timers.js";
import { agentView } from "./agent-view.js";
import { CrashRestarts, type Relaunch } from "./crash-restarts.js";
import { withInbox } from "./inbox.js";
import type { AgentMcp } from "./launch-args.js";
import { ACTIVE_STATES, type ManagedAgent } from "./managed-agent.js";
import { processTreeRss, type RssReader } from "./process-memory.js";
import { RestartPolicy } from "./restart-policy.js";
import type { RoleCatalog } from "./role-catalog.js";
import { turnActivity } from "./turn-activity.js";
import { WarmPool } from "./warm-pool.js";

export interface AgentManagerOptions {
  /** `[agents]`: among others the restart budget (`restart_*`) and the warm pool (`warm`). */
  config: Config["agents"];
  /** Makes each agent's driver (e.g. `createDriverFactory`); the manager knows agents only through it. */
  createDriver: AgentDriverFactory;
  /** How long an agent may stay idle before it stops, keeping its conversation; 0: forever. Default `agents.idle_timeout_s`. */
  idleTimeoutMs?: number;
  /** How long a stopped or failed agent stays in `list()`. Default `agents.stopped_retention_s`. */
  stoppedRetentionMs?: number;
  /** Reads a live agent's resident memory for `list()`; default: its process tree's, from /proc. */
  rss?: RssReader;
  maxAgents: number;
  /** How long a stopping agent gets before SIGTERM, and again before SIGKILL. */
  stopGraceMs: number;
  catalog: RoleCatalog;
  activity: ActivityLog;
  /** Default working directory root when `agents.working_dir` is empty. */
  workRoot: string;
  /**
   * The folder an agent of `project` works in (its own git worktree, made if missing), or
   * null for the project folder itself; asked each time its process starts.
   */
  workingDirFor?: (agentId: string, project: string | null) => Promise<string | null>;
  /** The MCP servers and tools CCA gives an agent process (its bridge to the daemon), if any; released when it exits. */
  mcpFor?: (agentId: string, role: string) => AgentMcp | undefined;
  /** Told of every change to an agent's record (state, task, tokens), e.g. to store it. */
  onChange?: (agent: Agent) => void;
  /**
   * Where conversations wait to be resumed: an agent that stops (evicted, crashed, or
   * shut down) after a turn leaves its session there; the next agent of its role takes it up.
   */
  conversations?: ConversationShelf;
  /** Context snapshots, taken at each turn end and stop, and used to put back a lost transcript. */
  snapshots?: SnapshotTaker;
  /** Times the restart budget's window; the backoff waits are real timers. */
  clock?: Clock;
  logger?: Logger;
}

/** How an agent's process is started: a new conversation or a resumed one, for whom. */
interface Launch {
  previous?: Agent;
  sessionId: string;
  /** Null: a folder of the agent's own (or `agents.working_dir`). */
  workingDir: string | null;
  project: string | null;
  resume: boolean;
  /** Overrides the role's driver. */
  driver?: AgentDriverKind;
  /** Comes up busy with this task instead of idle. */
  reserveFor?: string;
  /** Kept ready by the warm pool. */
  warm?: boolean;
  /** The crashed agent this restarts: its reservation, inbox and restart budget carry over. */
  replaces?: Relaunch["replaces"];
}

/**
 * Starts, tracks and stops agents; runs turns on them and keeps their records current. An
 * agent whose process crashes is restarted in its conversation, within the restart budget;
 * the warm pool keeps ready agents per role (`agents.warm`).
 */
export class AgentManager {
  readonly #options: AgentManagerOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #agents = new Map<string, ManagedAgent>();
  /** Agents being started but not yet in `#agents`: they hold a slot too. */
  #starting = 0;
  /** Reservations waiting for an agent: the warm pool leaves them the free slots. */
  #demand = 0;
  readonly #changeWaiters = new Set<() => void>();
  readonly #rss: RssReader;
  readonly #timers: AgentTimers;
  readonly #restarts: CrashRestarts;
  readonly #warm: WarmPool;
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
      onRetentionEnd: (agent) => {
        if (this.#agents.get(agent.record.id) === agent) this.#agents.delete(agent.record.id);
      },
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
        launch: ({ previous, sessionId, resume, replaces }) =>
          this.#launch(previous.role, {
            previous,
            sessionId,
            resume,
            replaces,
            workingDir: previous.working_dir,
            project: previous.project,
            driver: previous.driver,
          }),
        setState: (agent, state) => this.#setState(agent, state),
        keepConversation: (agent) => void this.#keepConversation(agent),
        restore: async (agent) => this.#options.snapshots?.restore(agent),
        gaveUp: (agent) => {
          // Paces the warm agents that take its place, so a role that keeps crashing is no loop.
          if (agent.warm) this.#warm.failed({ role: agent.record.role, project: agent.record.project });
        },
        nextChange: (signal) => this.#nextChange(signal),
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
        freeSlots: () => this.#options.maxAgents - this.activeCount - this.#demand,
        spawn: (slot) => this.#spawn(slot.role, slot.project, { warm: true }),
        stop: (agent) => void this.#stopAgent(agent, { keepConversation: true }),
        settled: () => this.#wake(),
        closed: () => this.#closed,
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
    return (
      this.#starting +
      [...this.#agents.values()].filter((agent) => ACTIVE_STATES.has(agent.record.state)).length
    );
  }

  /**
   * Starts a new agent of `role` and resolves once it is ready; `driver` overrides the
   * role's (e.g. an interactive agent of a headless role, to watch or sit in).
   */
  async spawn(role: string, options: { driver?: AgentDriverKind } = {}): Promise<Agent> {
    const agent = await this.#spawn(role, null, { driver: options.driver });
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
  async reserve(
    role: string,
    taskId: string,
    options: { signal?: AbortSignal; ancestors?: string[]; project?: string | null; agentId?: string } = {},
  ): Promise<Agent> {
    this.#options.catalog.profile(role);
    if (options.agentId !== undefined) return this.#reservePinned(options.agentId, taskId, options.signal);
    const project = options.project ?? null;
    this.#demand += 1;
    try {
      this.#warm.use(project);
      for (;;) {
        options.signal?.throwIfAborted();
        const idle = this.#idle()
          .filter((agent) => agent.record.role === role && agent.record.project === project)
          .sort((x, y) => Number(x.warm) - Number(y.warm))[0];
        if (idle) {
          idle.warm = false;
          this.#assign(idle, taskId);
          return structuredClone(idle.record);
        }
        if (this.#warm.starting({ role, project }) || this.#restartingIdle(role, project)) {
          // An agent of the role is on its way (warm, or restarting in its conversation): sooner than a new one.
          await this.#nextChange(options.signal);
          continue;
        }
        if (this.activeCount < this.#options.maxAgents) {
          return structuredClone((await this.#spawn(role, project, { reserveFor: taskId })).record);
        }
        const victim = this.#idle().sort((x, y) =>
          x.record.last_activity_at.localeCompare(y.record.last_activity_at),
        )[0];
        if (victim) {
          this.#logger.info("stopping an idle agent to make room", { agent: victim.record.id, for: role });
          await this.#stopAgent(victim, { keepConversation: true });
          continue;
        }
        const ancestors = new Set(options.ancestors ?? []);
        const active = [...this.#agents.values()].filter((agent) => ACTIVE_STATES.has(agent.record.state));
        if (
          ancestors.size > 0 &&
          this.#starting === 0 &&
          active.every((agent) => ancestors.has(agent.record.current_task_id ?? ""))
        ) {
          throw new CcaError(
            "agent_limit_reached",
            `No ${role} agent can start: all ${this.#options.maxAgents} agent slots (daemon.max_agents) are held by the tasks waiting for this one. Raise daemon.max_agents.`,
            { details: { max_agents: this.#options.maxAgents, role } },
          );
        }
        await this.#nextChange(options.signal);
      }
    } finally {
      this.#demand -= 1;
      void this.#warm.replenish();
    }
  }

  async #reservePinned(agentId: string, taskId: string, signal?: AbortSignal): Promise<Agent> {
    for (;;) {
      signal?.throwIfAborted();
      const agent = this.#agents.get(agentId);
      if (!agent || !ACTIVE_STATES.has(agent.record.state)) {
        const how = agent
          ? `has ${agent.record.state === "failed" ? "failed" : "stopped"}`
          : "is not running here";
        throw new CcaError(
          "agent_stopped",
          `Agent ${agentId} ${how}, so it cannot take this message; list the live agents with GET /api/v1/agents (cca agent list) and send it to one of them`,
          { details: { agent_id: agentId } },
        );
      }
      if (agent.record.state === "ready") {
        agent.warm = false;
        this.#assign(agent, taskId);
        void this.#warm.replenish();
        return structuredClone(agent.record);
      }
      await this.#nextChange(signal);
    }
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
    const agent = this.#managed(agentId);
    if (this.#restarts.isRestarting(agent)) {
      throw new CcaError("agent_crashed", agent.record.last_error?.message ?? `Agent ${agentId} crashed`, {
        details: { agent_id: agentId },
      });
    }
    if (agent.record.state !== "busy" || agent.record.current_task_id !== taskId) {
      throw new CcaError("internal", `Agent ${agentId} is not reserved for task ${taskId}`);
    }
    const inbox = agent.inbox.splice(0);
    agent.turn = turnActivity({
      record: agent.record,
      taskId,
      activity: this.#options.activity,
      clock: this.#clock,
      logger: this.#logger,
    });
    let result: TurnResult;
    try {
      result = await agent.driver.sendTurn(withInbox(prompt, inbox));
    } finally {
      agent.turn = null;
    }
    agent.turns += 1;
    addUsage(agent.record.usage, result.usage);
    agent.record.session_id = result.sessionId ?? agent.record.session_id;
    if (!result.isError) agent.record.tasks_completed += 1;
    this.#options.onChange?.(structuredClone(agent.record));
    this.#options.snapshots?.saveAfterTurn(structuredClone(agent.record));
    return result;
  }

  /**
   * Leaves a message for agents: `to` is an agent id, a role (every live agent of it), or
   * "*" (every live agent but the sender). Returns the ids it reached; they read it at the
   * start of their next turn.
   */
  deliver(fromAgentId: string, to: string, message: string): string[] {
    const from = this.#managed(fromAgentId);
    const live = [...this.#agents.values()].filter(
      (agent) => ACTIVE_STATES.has(agent.record.state) && agent !== from,
    );
    const targets =
      to === "*" ? live : live.filter((agent) => agent.record.id === to || agent.record.role === to);
    if (targets.length === 0) {
      const known = [...new Set(live.flatMap((agent) => [agent.record.role, agent.record.id]))];
      throw new CcaError(
        "agent_not_found",
        `No live agent matches "${to}"; send to an agent id or a role${known.length ? `, e.g. ${known.slice(0, 6).join(", ")}` : " (no other agent is running)"}`,
        { details: { to } },
      );
    }
    const at = isoTime(this.#clock);
    for (const target of targets)
      target.inbox.push({ from: `${from.record.role} (${from.record.id})`, message, at });
    const ids = targets.map((target) => target.record.id);
    this.#options.activity.record("agent.message", {
      agent_id: from.record.id,
      summary: `${from.record.role} → ${to === "*" ? "everyone" : to}: ${oneLine(message, 120)}`,
    });
    return ids;
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

  /** Whether an agent of `role` for `project` restarts after a crash, and will be idle once up. */
  #restartingIdle(role: string, project: string | null): boolean {
    return [...this.#agents.values()].some(
      (agent) =>
        agent.record.role === role &&
        agent.record.project === project &&
        agent.record.current_task_id === null &&
        this.#restarts.isRestarting(agent),
    );
  }

  #idle(): ManagedAgent[] {
    return [...this.#agents.values()].filter((agent) => agent.record.state === "ready");
  }

  #assign(agent: ManagedAgent, taskId: string): void {
    agent.record.current_task_id = taskId;
    this.#setState(agent, "busy");
  }

  /** Resolves at the next change of an agent's state (or a warm agent's start ending). */
  #nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.#changeWaiters.delete(wake);
        reject(signal?.reason);
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#changeWaiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #wake(): void {
    for (const wake of [...this.#changeWaiters]) wake();
    this.#changeWaiters.clear();
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

  /** Starts an agent of `role` for `project`, resuming the conversation an earlier one left if there is one. */
  async #spawn(
    role: string,
    project: string | null,
    options: { reserveFor?: string; driver?: AgentDriverKind; warm?: boolean } = {},
  ): Promise<ManagedAgent> {
    if (this.#closed) throw new CcaError("shutting_down", "The daemon is shutting down; no new agents start");
    this.#options.catalog.profile(role); // refuses an unknown role before anything starts
    if (this.activeCount >= this.#options.maxAgents) {
      throw new CcaError(
        "agent_limit_reached",
        `All ${this.#options.maxAgents} agent slots are in use (daemon.max_agents); stop an agent or raise the limit`,
        { details: { max_agents: this.#options.maxAgents } },
      );
    }
    this.#starting += 1;
    let resumable: Agent | undefined;
    try {
      resumable = await this.#options.conversations?.take(role, project);
    } finally {
      this.#starting -= 1;
    }
    if (this.#closed) throw new CcaError("shutting_down", "The daemon is shutting down; no new agents start");
    if (resumable?.session_id) {
      await this.#options.snapshots?.restore(resumable);
      try {
        return await this.#launch(role, {
          ...options,
          previous: resumable,
          sessionId: resumable.session_id,
          workingDir: resumable.working_dir,
          project,
          resume: true,
        });
      } catch (error) {
        // Claude Code may not have written the transcript before it died; the work goes on afresh.
        const reason = error instanceof Error ? error.message : String(error);
        this.#logger.warn("could not resume the conversation; starting a new one", { role, reason });
      }
    }
    return this.#launch(role, {
      ...options,
      sessionId: randomUUID(),
      workingDir: project,
      project,
      resume: false,
    });
  }

  /** Starts one Claude Code process for `role`, in a new conversation or resuming `sessionId`. */
  async #launch(role: string, conversation: Launch): Promise<ManagedAgent> {
    const roleProfile = this.#options.catalog.profile(role);
    const profile = conversation.driver ? { ...roleProfile, driver: conversation.driver } : roleProfile;
    const { previous, sessionId, resume, replaces } = conversation;
    // A resumed conversation keeps its agent's id and totals: it is the same agent, restarted.
    const id = previous?.id ?? newId(role);
    let ownFolder: string | null | undefined;
    this.#starting += 1; // holds its slot while its folder is made
    try {
      ownFolder = await this.#options.workingDirFor?.(id, conversation.project);
    } finally {
      this.#starting -= 1;
    }
    if (this.#closed) throw new CcaError("shutting_down", "The daemon is shutting down; no new agents start");
    if (replaces?.stopping)
      throw new CcaError("agent_stopped", `Agent ${id} was stopped before it restarted`);
    const workingDir =
      ownFolder ??
      conversation.workingDir ??
      (this.#options.config.working_dir || join(this.#options.workRoot, id));
    mkdirSync(workingDir, { recursive: true });
    const mcp: AgentMcp | undefined = this.#options.mcpFor?.(id, role);
    const driver = this.#options.createDriver({
      agentId: id,
      profile,
      sessionId,
      resume,
      cwd: workingDir,
      mcp,
      logger: this.#logger.child({ agent: id }),
    });
    const record = startingRecord({
      id,
      role,
      driver: driver.kind,
      sessionId,
      workingDir,
      project: conversation.project,
      previous,
      now: isoTime(this.#clock),
    });
    if (replaces) {
      record.current_task_id = replaces.record.current_task_id;
      record.last_error = replaces.record.last_error;
    }
    const agent: ManagedAgent = {
      record,
      driver,
      stopping: false,
      started: false,
      turns: replaces?.turns ?? 0,
      inbox: replaces?.inbox ?? [],
      turn: null,
      warm: replaces?.warm ?? conversation.warm ?? false,
      restarts: replaces?.restarts ?? [],
      restartTimer: null,
      idleTimer: null,
      retentionTimer: null,
    };
    // A resumed conversation replaces its earlier self, which must not linger or be removed later.
    const earlier = this.#agents.get(id);
    if (earlier) {
      this.#timers.clear(earlier);
      if (earlier.restartTimer) clearTimeout(earlier.restartTimer);
    }
    this.#agents.set(id, agent);
    this.#listen(agent, mcp);
    const verb = resume ? "resuming its conversation in" : "starting";
    this.#options.activity.record("agent.spawned", { agent_id: id, summary: `${role}: ${verb} Claude Code` });
    try {
      await driver.start();
    } catch (error) {
      const failure = error instanceof CcaError ? error : new CcaError("agent_spawn_failed", String(error));
      this.#logger.error("agent failed to start", { agent: id, error: failure.message });
      if (agent.stopping) {
        if (agent.record.state === "stopping") this.#setState(agent, "stopped");
      } else if (!replaces) {
        agent.record.last_error = failure.toJSON();
        this.#setState(agent, "failed");
      } // a restart's failure is its caller's to count against the budget
      throw failure;
    }
    agent.started = true;
    agent.record.pid = driver.pid;
    const taskId = conversation.reserveFor ?? (replaces ? agent.record.current_task_id : null);
    if (taskId) this.#assign(agent, taskId);
    else this.#setState(agent, "ready");
    this.#logger.info("agent ready", {
      agent: id,
      role,
      pid: driver.pid,
      driver: driver.kind,
      resumed: resume,
    });
    return agent;
  }

  /** Routes the driver's events: a turn's to its activity, needs-input to the state, the exit to the record. */
  #listen(agent: ManagedAgent, mcp: AgentMcp | undefined): void {
    const { driver } = agent;
    driver.on("text", (text) => agent.turn?.onText?.(text));
    driver.on("toolUse", (use) => agent.turn?.onToolUse?.(use.name, use.input));
    driver.on("toolResult", (result) => agent.turn?.onToolResult?.(result.isError, result.content));
    driver.on("apiRetry", (retry) => agent.turn?.onApiRetry?.(retry.attempt, retry.error));
    driver.on("state", (state) => {
      if (this.#agents.get(agent.record.id) !== agent) return;
      if (state === "waiting_input") this.setWaitingInput(agent.record.id, true);
      if (state === "busy") this.setWaitingInput(agent.record.id, false);
    });
    driver.on("exit", (info) => {
      mcp?.release();
      this.#onExit(agent, info.code, info.signal);
    });
  }

  #onExit(agent: ManagedAgent, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#agents.get(agent.record.id) !== agent) return;
    if (agent.stopping) {
      if (agent.record.state !== "failed") this.#setState(agent, "stopped");
      return;
    }
    // An exit before the process was up is its start's failure, which `#launch` reports.
    if (!agent.started || agent.record.state === "failed") return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.#logger.warn("agent exited unexpectedly", { agent: agent.record.id, code, signal });
    this.#restarts.crashed(agent, `Claude Code exited unexpectedly with ${how}`);
  }

  #setState(agent: ManagedAgent, state: AgentState): void {
    if (agent.record.state === state) return;
    agent.record.state = state;
    if (!this.#closed) this.#timers.follow(agent, state);
    else this.#timers.clear(agent);
    this.#wake();
    agent.record.last_activity_at = isoTime(this.#clock);
    this.#options.onChange?.(structuredClone(agent.record));
    const kind = state === "stopped" ? "agent.stopped" : "agent.state";
    this.#options.activity.record(kind, {
      agent_id: agent.record.id,
      task_id: agent.record.current_task_id,
      summary: `${agent.record.role}: ${state}`,
    });
    if ((state === "stopped" || state === "failed") && this.#agents.get(agent.record.id) === agent)
      void this.#warm.replenish();
  }
}
