import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Agent,
  type AgentState,
  addUsage,
  CcaError,
  type Clock,
  type Config,
  clampTimerMs,
  isoTime,
  type Logger,
  newId,
  noopLogger,
  systemClock,
} from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { AgentDriver, AgentDriverFactory, TurnResult } from "./agent-driver.js";
import { type ConversationShelf, type SnapshotTaker, startingRecord } from "./agent-parts.js";
import { type InboxMessage, withInbox } from "./inbox.js";
import type { AgentMcp } from "./launch-args.js";
import { processTreeRss, type RssReader } from "./process-memory.js";
import type { RoleCatalog } from "./role-catalog.js";
import { type TurnListener, turnActivity } from "./turn-activity.js";

interface ManagedAgent {
  record: Agent;
  driver: AgentDriver;
  /** True once the daemon asked it to stop, so its exit is not a crash. */
  stopping: boolean;
  turns: number;
  /** Messages from other agents, read at the start of its next turn. */
  inbox: InboxMessage[];
  /** What the running turn's events go to, if a turn runs. */
  turn: TurnListener | null;
  /** Stops it once it has been idle (ready) for the idle timeout; cleared when it gets work. */
  idleTimer: NodeJS.Timeout | null;
  /** Takes its record out of the list once it has been stopped for the retention period. */
  retentionTimer: NodeJS.Timeout | null;
}

export interface AgentManagerOptions {
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
  clock?: Clock;
  logger?: Logger;
}

const ACTIVE_STATES: ReadonlySet<AgentState> = new Set(["starting", "ready", "busy", "waiting_input"]);

/** Starts, tracks and stops agents; runs turns on them and keeps their records current. */
export class AgentManager {
  readonly #options: AgentManagerOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #agents = new Map<string, ManagedAgent>();
  /** Agents being started but not yet in `#agents`: they hold a slot too. */
  #starting = 0;
  readonly #changeWaiters = new Set<() => void>();
  readonly #idleTimeoutMs: number;
  readonly #stoppedRetentionMs: number;
  readonly #rss: RssReader;
  #closed = false;

  constructor(options: AgentManagerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock ?? systemClock;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? options.config.idle_timeout_s * 1000;
    this.#stoppedRetentionMs = options.stoppedRetentionMs ?? options.config.stopped_retention_s * 1000;
    this.#rss = options.rss ?? processTreeRss;
  }

  /** The agents, with the resident memory of each live one (`rss_bytes`); stopped ones until their retention ends. */
  list(): Agent[] {
    return [...this.#agents.values()].map((agent) => this.#view(agent));
  }

  has(id: string): boolean {
    return this.#agents.has(id);
  }

  get(id: string): Agent {
    return this.#view(this.#managed(id));
  }

  #view(agent: ManagedAgent): Agent {
    const { pid, state } = agent.record;
    const live = ACTIVE_STATES.has(state) || state === "stopping";
    return { ...structuredClone(agent.record), rss_bytes: live && pid !== null ? this.#rss(pid) : null };
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

  /** Starts a new agent of `role` and resolves once it is ready. */
  async spawn(role: string): Promise<Agent> {
    const agent = await this.#spawn(role, null);
    return structuredClone(agent.record);
  }

  /**
   * Reserves an agent of `role` for `taskId` (its state becomes busy): an idle one, else a
   * new one while a slot is free, else a new one in the place of the least recently used
   * idle agent of another role; else it waits until one of those becomes possible.
   * `ancestors` are the tasks waiting on this one: if they hold every slot, waiting would
   * never end, so it fails with `agent_limit_reached` instead.
   */
  async reserve(
    role: string,
    taskId: string,
    options: { signal?: AbortSignal; ancestors?: string[]; project?: string | null } = {},
  ): Promise<Agent> {
    this.#options.catalog.profile(role);
    const project = options.project ?? null;
    for (;;) {
      options.signal?.throwIfAborted();
      const idle = this.#idle().find(
        (agent) => agent.record.role === role && agent.record.project === project,
      );
      if (idle) {
        this.#assign(idle, taskId);
        return structuredClone(idle.record);
      }
      if (this.activeCount < this.#options.maxAgents) {
        return structuredClone((await this.#spawn(role, project, taskId)).record);
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
  }

  /**
   * Ends a reservation: the agent is idle again, if it is still up. An agent that stopped
   * and has left the list since (`stoppedRetentionMs`) has nothing to release.
   */
  release(agentId: string): void {
    const agent = this.#agents.get(agentId);
    if (!agent) return;
    agent.record.current_task_id = null;
    if (agent.record.state === "busy" || agent.record.state === "waiting_input")
      this.#setState(agent, "ready");
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

  /** Runs one turn on an agent reserved for `taskId`, keeping its activity and token totals current. */
  async runTurn(agentId: string, taskId: string, prompt: string): Promise<TurnResult> {
    const agent = this.#managed(agentId);
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

  /** Stops one agent, in bounded time even if it hangs (see AgentDriver.stop); resolves with its final record. */
  async stop(agentId: string): Promise<Agent> {
    const agent = this.#managed(agentId);
    await this.#stopAgent(agent);
    return structuredClone(agent.record);
  }

  /** Stops every agent (shutdown); no agent may start afterwards. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [...this.#agents.values()].map((agent) => this.#stopAgent(agent, { keepConversation: true })),
    );
    for (const agent of this.#agents.values()) this.#clearTimers(agent);
  }

  /** Stops the agent; with `keepConversation`, a later agent of its role resumes its conversation. */
  async #stopAgent(agent: ManagedAgent, options: { keepConversation?: boolean } = {}): Promise<void> {
    if (!ACTIVE_STATES.has(agent.record.state)) return;
    agent.stopping = true;
    this.#setState(agent, "stopping");
    await agent.driver.stop(this.#options.stopGraceMs);
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

  #idle(): ManagedAgent[] {
    return [...this.#agents.values()].filter((agent) => agent.record.state === "ready");
  }

  #assign(agent: ManagedAgent, taskId: string): void {
    agent.record.current_task_id = taskId;
    this.#setState(agent, "busy");
  }

  /** Resolves at the next change that may free a slot (an agent idle, stopped or failed). */
  #nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
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

  #managed(id: string): ManagedAgent {
    const agent = this.#agents.get(id);
    if (!agent) {
      throw new CcaError("agent_not_found", `No agent with id "${id}"; list agents with GET /api/v1/agents`, {
        details: { agent_id: id },
      });
    }
    return agent;
  }

  /** Starts an agent; with `reserveFor` it comes up busy with that task instead of idle. */
  async #spawn(role: string, project: string | null, reserveFor?: string): Promise<ManagedAgent> {
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
        return await this.#launch(
          role,
          {
            previous: resumable,
            sessionId: resumable.session_id,
            workingDir: resumable.working_dir,
            project,
            resume: true,
          },
          reserveFor,
        );
      } catch (error) {
        // Claude Code may not have written the transcript before it died; the work goes on afresh.
        const reason = error instanceof Error ? error.message : String(error);
        this.#logger.warn("could not resume the conversation; starting a new one", { role, reason });
      }
    }
    return this.#launch(
      role,
      { sessionId: randomUUID(), workingDir: project, project, resume: false },
      reserveFor,
    );
  }

  /** Starts one Claude Code process for `role`, in a new conversation or resuming `sessionId`. */
  async #launch(
    role: string,
    conversation: {
      previous?: Agent;
      sessionId: string;
      /** Null: a folder of the agent's own (or `agents.working_dir`). */
      workingDir: string | null;
      project: string | null;
      resume: boolean;
    },
    reserveFor: string | undefined,
  ): Promise<ManagedAgent> {
    const profile = this.#options.catalog.profile(role);
    const { previous, sessionId, resume } = conversation;
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
    const now = isoTime(this.#clock);
    const agent: ManagedAgent = {
      record: startingRecord({
        id,
        role,
        driver: driver.kind,
        sessionId,
        workingDir,
        project: conversation.project,
        previous,
        now,
      }),
      driver,
      stopping: false,
      turns: 0,
      inbox: [],
      turn: null,
      idleTimer: null,
      retentionTimer: null,
    };
    // A resumed conversation replaces its earlier self, which must not linger or be removed later.
    const earlier = this.#agents.get(id);
    if (earlier) this.#clearTimers(earlier);
    this.#agents.set(id, agent);
    this.#listen(agent, mcp);
    const verb = resume ? "resuming its conversation in" : "starting";
    this.#options.activity.record("agent.spawned", { agent_id: id, summary: `${role}: ${verb} Claude Code` });
    try {
      await driver.start();
    } catch (error) {
      const failure = error instanceof CcaError ? error : new CcaError("agent_spawn_failed", String(error));
      agent.record.last_error = failure.toJSON();
      this.#setState(agent, "failed");
      this.#logger.error("agent failed to start", { agent: id, error: failure.message });
      throw failure;
    }
    agent.record.pid = driver.pid;
    if (reserveFor) this.#assign(agent, reserveFor);
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

  /**
   * Keeps the timers that follow an agent's state: an idle (ready) agent stops after the
   * idle timeout, keeping its conversation; a stopped or failed one leaves the list after
   * the retention period.
   */
  #followState(agent: ManagedAgent, state: AgentState): void {
    this.#clearTimers(agent);
    if (this.#closed) return;
    if (state === "ready" && this.#idleTimeoutMs > 0) {
      agent.idleTimer = setTimeout(() => {
        agent.idleTimer = null;
        this.#logger.info("stopping an idle agent; its conversation is kept", {
          agent: agent.record.id,
          idle_ms: this.#idleTimeoutMs,
        });
        void this.#stopAgent(agent, { keepConversation: true });
      }, clampTimerMs(this.#idleTimeoutMs));
      agent.idleTimer.unref();
    }
    if (state === "stopped" || state === "failed") {
      agent.retentionTimer = setTimeout(() => {
        agent.retentionTimer = null;
        if (this.#agents.get(agent.record.id) === agent) this.#agents.delete(agent.record.id);
      }, clampTimerMs(this.#stoppedRetentionMs));
      agent.retentionTimer.unref();
    }
  }

  #clearTimers(agent: ManagedAgent): void {
    if (agent.idleTimer) clearTimeout(agent.idleTimer);
    if (agent.retentionTimer) clearTimeout(agent.retentionTimer);
    agent.idleTimer = null;
    agent.retentionTimer = null;
  }

  #onExit(agent: ManagedAgent, code: number | null, signal: NodeJS.Signals | null): void {
    if (agent.stopping || agent.record.state === "failed") {
      if (agent.record.state !== "failed") this.#setState(agent, "stopped");
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    agent.record.last_error = {
      code: "agent_crashed",
      message: `Claude Code exited unexpectedly with ${how}`,
    };
    this.#setState(agent, "failed");
    void this.#keepConversation(agent);
    this.#logger.warn("agent exited unexpectedly", { agent: agent.record.id, code, signal });
  }

  #setState(agent: ManagedAgent, state: AgentState): void {
    if (agent.record.state === state) return;
    agent.record.state = state;
    this.#followState(agent, state);
    if (state === "ready" || state === "stopped" || state === "failed") {
      for (const wake of [...this.#changeWaiters]) wake();
      this.#changeWaiters.clear();
    }
    agent.record.last_activity_at = isoTime(this.#clock);
    this.#options.onChange?.(structuredClone(agent.record));
    const kind = state === "stopped" ? "agent.stopped" : "agent.state";
    this.#options.activity.record(kind, {
      agent_id: agent.record.id,
      task_id: agent.record.current_task_id,
      summary: `${agent.record.role}: ${state}`,
    });
  }
}
