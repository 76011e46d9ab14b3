import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Agent,
  type AgentDriverKind,
  type AgentState,
  CcaError,
  type Clock,
  isoTime,
  type Logger,
  newId,
} from "@cca/core";
import type { AgentDriverEvents } from "./agent-driver.js";
import type { AgentManagerOptions } from "./agent-manager-options.js";
import { startingRecord } from "./agent-parts.js";
import type { AgentRoster } from "./agent-roster.js";
import type { AgentTimers } from "./agent-timers.js";
import type { Relaunch } from "./crash-restarts.js";
import type { AgentMcp } from "./launch-args.js";
import type { ManagedAgent } from "./managed-agent.js";

/** How an agent's process is started: a new conversation or a resumed one, for whom. */
export interface Launch {
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

/** How `spawn` starts an agent: for a task, with another driver, or warm. */
export type SpawnOptions = Pick<Launch, "reserveFor" | "driver" | "warm">;

/** What starting agents needs of the agent manager. */
export interface AgentLauncherHost {
  setState(agent: ManagedAgent, state: AgentState): void;
  /** Makes the agent busy with `taskId`. */
  assign(agent: ManagedAgent, taskId: string): void;
  /** Told when an agent's process waits for a person (an approval), or works again. */
  setWaitingInput(agentId: string, waiting: boolean): void;
  /** Told when a person's turn typed into the agent's terminal starts or ends. */
  typedTurn(agent: ManagedAgent, turn: Parameters<AgentDriverEvents["typedTurn"]>[0]): void;
  /** Told when an agent's process, once up, exited without being asked to (`what` happened). */
  crashed(agent: ManagedAgent, what: string): void;
  closed(): boolean;
}

type LauncherOptions = Pick<
  AgentManagerOptions,
  | "config"
  | "createDriver"
  | "maxAgents"
  | "catalog"
  | "activity"
  | "workRoot"
  | "workingDirFor"
  | "mcpFor"
  | "conversations"
  | "snapshots"
  | "onApiRetry"
>;

/**
 * Starts agents' Claude Code processes, in a new conversation or resuming the one an earlier
 * agent of the role left, and routes each process's events: its turn's to the turn, its
 * needs-input to the agent's state, its exit to the record (a crash to the host).
 */
export class AgentLauncher {
  readonly #options: LauncherOptions;
  readonly #roster: AgentRoster;
  readonly #timers: AgentTimers;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #host: AgentLauncherHost;

  constructor(options: {
    options: LauncherOptions;
    roster: AgentRoster;
    timers: AgentTimers;
    clock: Clock;
    logger: Logger;
    host: AgentLauncherHost;
  }) {
    this.#options = options.options;
    this.#roster = options.roster;
    this.#timers = options.timers;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#host = options.host;
  }

  /** Starts an agent of `role` for `project`, resuming the conversation an earlier one left if there is one. */
  async spawn(role: string, project: string | null, options: SpawnOptions = {}): Promise<ManagedAgent> {
    if (this.#host.closed()) throw shuttingDown();
    this.#options.catalog.profile(role); // refuses an unknown role before anything starts
    if (this.#roster.activeCount >= this.#options.maxAgents) {
      throw new CcaError(
        "agent_limit_reached",
        `All ${this.#options.maxAgents} agent slots are in use (daemon.max_agents); stop an agent or raise the limit`,
        { details: { max_agents: this.#options.maxAgents } },
      );
    }
    const releaseSlot = this.#roster.holdSlot();
    let resumable: Agent | undefined;
    try {
      resumable = await this.#options.conversations?.take(role, project);
    } finally {
      releaseSlot();
    }
    if (this.#host.closed()) throw shuttingDown();
    if (resumable?.session_id) {
      await this.#options.snapshots?.restore(resumable);
      try {
        return await this.launch(role, {
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
    return this.launch(role, {
      ...options,
      sessionId: randomUUID(),
      workingDir: project,
      project,
      resume: false,
    });
  }

  /** Starts one Claude Code process for `role`, in a new conversation or resuming `sessionId`. */
  async launch(role: string, conversation: Launch): Promise<ManagedAgent> {
    const roleProfile = this.#options.catalog.profile(role);
    const profile = conversation.driver ? { ...roleProfile, driver: conversation.driver } : roleProfile;
    const { previous, sessionId, resume, replaces } = conversation;
    // A resumed conversation keeps its agent's id and totals: it is the same agent, restarted.
    const id = previous?.id ?? newId(role);
    let ownFolder: string | null | undefined;
    const releaseSlot = this.#roster.holdSlot(); // while its folder is made
    try {
      ownFolder = await this.#options.workingDirFor?.(id, conversation.project);
    } finally {
      releaseSlot();
    }
    if (this.#host.closed()) throw shuttingDown();
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
      contextTokens: replaces?.contextTokens ?? null,
      baseContextTokens: replaces?.baseContextTokens ?? null,
      inbox: replaces?.inbox ?? [],
      turn: null,
      typing: false,
      warm: replaces?.warm ?? conversation.warm ?? false,
      restarts: replaces?.restarts ?? [],
      restartTimer: null,
      idleTimer: null,
      retentionTimer: null,
    };
    // A resumed conversation replaces its earlier self, which must not linger or be removed later.
    const earlier = this.#roster.get(id);
    if (earlier) {
      this.#timers.clear(earlier);
      if (earlier.restartTimer) clearTimeout(earlier.restartTimer);
    }
    this.#roster.set(agent);
    this.#listen(agent, mcp);
    const verb = resume ? "resuming its conversation in" : "starting";
    this.#options.activity.record("agent.spawned", { agent_id: id, summary: `${role}: ${verb} Claude Code` });
    try {
      await driver.start();
    } catch (error) {
      const failure = error instanceof CcaError ? error : new CcaError("agent_spawn_failed", String(error));
      this.#logger.error("agent failed to start", { agent: id, error: failure.message });
      if (agent.stopping) {
        if (agent.record.state === "stopping") this.#host.setState(agent, "stopped");
      } else if (!replaces) {
        agent.record.last_error = failure.toJSON();
        this.#host.setState(agent, "failed");
      } // a restart's failure is its caller's to count against the budget
      throw failure;
    }
    agent.started = true;
    agent.record.pid = driver.pid;
    const taskId = conversation.reserveFor ?? (replaces ? agent.record.current_task_id : null);
    if (taskId) this.#host.assign(agent, taskId);
    else this.#host.setState(agent, "ready");
    this.#logger.info("agent ready", {
      agent: id,
      role,
      pid: driver.pid,
      driver: driver.kind,
      resumed: resume,
    });
    return agent;
  }

  /** Starts a crashed agent's process again: the same agent, in its folder and project, with its driver. */
  relaunch({ previous, sessionId, resume, replaces }: Relaunch): Promise<ManagedAgent> {
    return this.launch(previous.role, {
      previous,
      sessionId,
      resume,
      replaces,
      workingDir: previous.working_dir,
      project: previous.project,
      driver: previous.driver,
    });
  }

  /** Routes the driver's events: a turn's to its activity, needs-input to the state, the exit to the record. */
  #listen(agent: ManagedAgent, mcp: AgentMcp | undefined): void {
    const { driver } = agent;
    driver.on("text", (text) => agent.turn?.onText?.(text));
    driver.on("toolUse", (use) => agent.turn?.onToolUse?.(use.name, use.input, use.id));
    driver.on("toolResult", (result) =>
      agent.turn?.onToolResult?.(result.isError, result.content, result.toolUseId),
    );
    driver.on("apiRetry", (retry) => {
      agent.turn?.onApiRetry?.(retry.attempt, retry.error);
      this.#options.onApiRetry?.(retry, agent.record);
    });
    driver.on("state", (state) => {
      if (!this.#roster.isCurrent(agent)) return;
      if (state === "waiting_input") this.#host.setWaitingInput(agent.record.id, true);
      if (state === "busy") this.#host.setWaitingInput(agent.record.id, false);
    });
    driver.on("typedTurn", (turn) => {
      if (this.#roster.isCurrent(agent)) this.#host.typedTurn(agent, turn);
    });
    driver.on("exit", (info) => {
      mcp?.release();
      this.#onExit(agent, info.code, info.signal);
    });
  }

  #onExit(agent: ManagedAgent, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.#roster.isCurrent(agent)) return;
    if (agent.stopping) {
      if (agent.record.state !== "failed") this.#host.setState(agent, "stopped");
      return;
    }
    // An exit before the process was up is its start's failure, which `launch` reports.
    if (!agent.started || agent.record.state === "failed") return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.#logger.warn("agent exited unexpectedly", { agent: agent.record.id, code, signal });
    this.#host.crashed(agent, `Claude Code exited unexpectedly with ${how}`);
  }
}

function shuttingDown(): CcaError {
  return new CcaError("shutting_down", "The daemon is shutting down; no new agents start");
}
