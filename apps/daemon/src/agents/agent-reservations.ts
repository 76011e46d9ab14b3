import { type Agent, CcaError, type Logger } from "@cca/core";
import type { AgentChanges } from "./agent-changes.js";
import type { AgentRoster } from "./agent-roster.js";
import { ACTIVE_STATES, type ManagedAgent } from "./managed-agent.js";
import type { WarmPool } from "./warm-pool.js";

/** What reservations need of the agent manager. */
export interface ReservationsHost {
  /** Makes the agent busy with `taskId`. */
  assign(agent: ManagedAgent, taskId: string): void;
  /** Starts an agent of `role` for `project` that comes up busy with `taskId`; resolves once it is ready. */
  spawn(role: string, project: string | null, taskId: string): Promise<ManagedAgent>;
  /** Stops an idle agent to free its slot, keeping its conversation. */
  evict(agent: ManagedAgent): Promise<void>;
  /** Whether the agent crashed and waits for, or is in, its restart. */
  isRestarting(agent: ManagedAgent): boolean;
}

/** How a task asks for an agent (see `AgentManager.reserve`). */
export interface ReserveOptions {
  signal?: AbortSignal;
  /** The tasks waiting on this one. */
  ancestors?: string[];
  project?: string | null;
  /** Only this agent will do. */
  agentId?: string;
}

/**
 * Hands agents to tasks: an idle one, a new one in a free slot, or one in the place of the
 * least recently used idle agent, waiting for a change that frees a slot when none of those
 * is possible, and failing with `agent_limit_reached` when that wait would never end.
 */
export class AgentReservations {
  readonly #roster: AgentRoster;
  readonly #changes: AgentChanges;
  readonly #warm: Pick<WarmPool, "use" | "starting" | "replenish">;
  readonly #maxAgents: number;
  readonly #logger: Logger;
  readonly #host: ReservationsHost;
  #waiting = 0;

  constructor(options: {
    roster: AgentRoster;
    changes: AgentChanges;
    warm: Pick<WarmPool, "use" | "starting" | "replenish">;
    maxAgents: number;
    logger: Logger;
    host: ReservationsHost;
  }) {
    this.#roster = options.roster;
    this.#changes = options.changes;
    this.#warm = options.warm;
    this.#maxAgents = options.maxAgents;
    this.#logger = options.logger;
    this.#host = options.host;
  }

  /** Reservations waiting for an agent: the warm pool leaves them the free slots. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Reserves an agent of `role` for `taskId` and resolves with a copy of its record (see `AgentManager.reserve`). */
  async reserve(role: string, taskId: string, options: ReserveOptions = {}): Promise<Agent> {
    if (options.agentId !== undefined) return this.#reservePinned(options.agentId, taskId, options.signal);
    const project = options.project ?? null;
    this.#waiting += 1;
    try {
      this.#warm.use(project);
      for (;;) {
        options.signal?.throwIfAborted();
        const idle = this.#roster
          .idle()
          .filter((agent) => agent.record.role === role && agent.record.project === project)
          .sort((x, y) => Number(x.warm) - Number(y.warm))[0];
        if (idle) {
          idle.warm = false;
          this.#host.assign(idle, taskId);
          return structuredClone(idle.record);
        }
        if (this.#warm.starting({ role, project }) || this.#restartingIdle(role, project)) {
          // An agent of the role is on its way (warm, or restarting in its conversation): sooner than a new one.
          await this.#changes.next(options.signal);
          continue;
        }
        if (this.#roster.activeCount < this.#maxAgents) {
          return structuredClone((await this.#host.spawn(role, project, taskId)).record);
        }
        const victim = this.#roster
          .idle()
          .sort((x, y) => x.record.last_activity_at.localeCompare(y.record.last_activity_at))[0];
        if (victim) {
          this.#logger.info("stopping an idle agent to make room", { agent: victim.record.id, for: role });
          await this.#host.evict(victim);
          continue;
        }
        if (this.#heldByAncestors(new Set(options.ancestors ?? []))) {
          throw new CcaError(
            "agent_limit_reached",
            `No ${role} agent can start: all ${this.#maxAgents} agent slots (daemon.max_agents) are held by the tasks waiting for this one. Raise daemon.max_agents.`,
            { details: { max_agents: this.#maxAgents, role } },
          );
        }
        await this.#changes.next(options.signal);
      }
    } finally {
      this.#waiting -= 1;
      void this.#warm.replenish();
    }
  }

  /** Waits while the agent is busy; fails with `agent_stopped` once it is gone. */
  async #reservePinned(agentId: string, taskId: string, signal?: AbortSignal): Promise<Agent> {
    for (;;) {
      signal?.throwIfAborted();
      const agent = this.#roster.get(agentId);
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
        this.#host.assign(agent, taskId);
        void this.#warm.replenish();
        return structuredClone(agent.record);
      }
      await this.#changes.next(signal);
    }
  }

  /** Whether an agent of `role` for `project` restarts after a crash, and will be idle once up. */
  #restartingIdle(role: string, project: string | null): boolean {
    return [...this.#roster.values()].some(
      (agent) =>
        agent.record.role === role &&
        agent.record.project === project &&
        agent.record.current_task_id === null &&
        this.#host.isRestarting(agent),
    );
  }

  /** Whether the tasks waiting on this one hold every slot, so that waiting for one would never end. */
  #heldByAncestors(ancestors: Set<string>): boolean {
    return (
      ancestors.size > 0 &&
      this.#roster.starting === 0 &&
      this.#roster.active().every((agent) => ancestors.has(agent.record.current_task_id ?? ""))
    );
  }
}
