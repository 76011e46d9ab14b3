import { type Clock, clampTimerMs, type Logger } from "@cca/core";
import type { ManagedAgent } from "./managed-agent.js";
import type { RestartPolicy } from "./restart-policy.js";

/** One kind of warm agent: a role, for the tasks of one project (null: tasks without one). */
export interface WarmSlot {
  role: string;
  project: string | null;
}

/** What the warm pool needs of the agent manager. */
export interface WarmPoolHost {
  agents(): Iterable<ManagedAgent>;
  /** Slots a warm agent may take: under `daemon.max_agents`, after the reservations waiting for one. */
  freeSlots(): number;
  /** Starts an agent of `slot` marked warm; resolves once it is ready. */
  spawn(slot: WarmSlot): Promise<ManagedAgent>;
  /** Stops an idle agent, keeping its conversation. */
  stop(agent: ManagedAgent): void;
  /** Told when a warm agent's start ended, well or not: a reservation may be waiting for it. */
  settled(): void;
  /** Whether some agent is running a turn (busy, or waiting for a person). */
  working(): boolean;
  closed(): boolean;
}

/**
 * Keeps `agents.warm` ready agents per role, in free slots only (it never evicts, and leaves
 * waiting reservations the slots they need); warm agents are exempt from the idle timeout
 * and evicted like any idle agent when a slot is needed. It refills once no agent runs a
 * turn, so that its starts do not compete for CPU with the work that took its agents.
 *
 * An agent's folder is fixed when its process starts (its project's worktree, or a folder of
 * its own), so a warm agent serves the tasks of the project it started for: the pool is kept
 * for tasks without a project from the start, and for each project from its first task on,
 * until that project has had no task for the idle timeout (its warm agents then stop).
 * A warm agent that cannot start is tried again after the restart backoff, within the
 * restart budget.
 */
export class WarmPool {
  readonly #host: WarmPoolHost;
  readonly #target: [string, number][];
  readonly #lapseMs: number;
  readonly #policy: RestartPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** The projects kept warm, least recently used first, with the timer that ends each. */
  readonly #projects = new Map<string | null, NodeJS.Timeout | null>([[null, null]]);
  readonly #failures = new Map<string, { restarts: number[]; until: number; timer: NodeJS.Timeout }>();
  /** Warm agents being started, by slot. */
  readonly #starting = new Map<string, number>();

  constructor(options: {
    host: WarmPoolHost;
    /** `agents.warm`. */
    target: Record<string, number>;
    /** How long a project's pool outlives its last task (the idle timeout); 0: for good. */
    lapseMs: number;
    /** Paces the retries of warm agents that could not start. */
    policy: RestartPolicy;
    clock: Clock;
    logger: Logger;
  }) {
    this.#host = options.host;
    this.#target = Object.entries(options.target).filter(([, count]) => count > 0);
    this.#lapseMs = options.lapseMs;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** Notes a task of `project`: its pool is kept from now on (and refilled at once if new), for the idle timeout after its last task. */
  use(project: string | null): void {
    if (this.#target.length === 0 || project === null) return;
    const earlier = this.#projects.get(project);
    const isNew = earlier === undefined;
    if (earlier) clearTimeout(earlier);
    this.#projects.delete(project);
    let timer: NodeJS.Timeout | null = null;
    if (this.#lapseMs > 0) {
      timer = setTimeout(() => this.#lapse(project), clampTimerMs(this.#lapseMs));
      timer.unref();
    }
    this.#projects.set(project, timer);
    // A new project's pool fills at once, turns or not: its first task's delegations find their agents started.
    if (isNew) void this.replenish({ whileWorking: true });
  }

  /** Whether a warm agent of `slot` is being started (sooner to wait for than a new one). */
  starting(slot: WarmSlot): boolean {
    return this.#starting.has(warmSlotKey(slot));
  }

  /** Whether the pool is short of agents of `slot`. */
  short(slot: WarmSlot): boolean {
    if (!this.#projects.has(slot.project)) return false;
    const wanted = this.#target.find(([role]) => role === slot.role)?.[1] ?? 0;
    return this.#count(slot) < wanted;
  }

  /**
   * Starts the warm agents the pool is short of, in free slots; resolves once each is ready
   * or could not start. Not while an agent runs a turn (unless `whileWorking`): a start
   * costs about half a second of CPU, which the task that just took a warm agent would wait
   * for, and that agent is the pool's again once released. The agent manager calls this
   * again as agents become ready.
   */
  async replenish(options: { whileWorking?: boolean } = {}): Promise<void> {
    if (this.#target.length === 0 || this.#host.closed()) return;
    if (!options.whileWorking && this.#host.working()) return;
    const starts: Promise<void>[] = [];
    const now = this.#clock.now();
    let free = this.#host.freeSlots();
    for (const project of [...this.#projects.keys()].reverse()) {
      for (const [role, count] of this.#target) {
        const slot = { role, project };
        if ((this.#failures.get(warmSlotKey(slot))?.until ?? 0) > now) continue;
        for (let have = this.#count(slot); have < count && free > 0; have += 1, free -= 1)
          starts.push(this.#start(slot));
      }
    }
    await Promise.all(starts);
  }

  /** Notes that a warm agent of `slot` could not start, or crashed past its budget: its next start waits a backoff. */
  failed(slot: WarmSlot): string {
    const key = warmSlotKey(slot);
    const now = this.#clock.now();
    const earlier = this.#failures.get(key);
    if (earlier) clearTimeout(earlier.timer);
    const restarts = earlier?.restarts ?? [];
    const decision = this.#policy.decide(restarts, now);
    // Past the budget, the slot rests for the restart window, then its budget is whole again.
    const waitMs = decision.restart ? decision.delayMs : this.#policy.windowMs;
    const timer = setTimeout(() => void this.replenish(), clampTimerMs(waitMs));
    timer.unref();
    this.#failures.set(key, { restarts, until: now + waitMs, timer });
    return decision.restart
      ? `tried again in ${waitMs} ms`
      : `${decision.reason}; tried again in ${waitMs / 1000} s`;
  }

  /** Clears every timer (shutdown). */
  close(): void {
    for (const timer of this.#projects.values()) if (timer) clearTimeout(timer);
    for (const failure of this.#failures.values()) clearTimeout(failure.timer);
    this.#failures.clear();
  }

  async #start(slot: WarmSlot): Promise<void> {
    const key = warmSlotKey(slot);
    this.#starting.set(key, (this.#starting.get(key) ?? 0) + 1);
    try {
      const agent = await this.#host.spawn(slot);
      const failure = this.#failures.get(key);
      if (failure) clearTimeout(failure.timer);
      this.#failures.delete(key);
      this.#logger.info("warm agent ready", { agent: agent.record.id, ...slot });
    } catch (error) {
      if (!this.#host.closed()) {
        const next = this.failed(slot);
        this.#logger.warn("a warm agent could not start", { ...slot, error: String(error), next });
      }
    } finally {
      const left = (this.#starting.get(key) ?? 1) - 1;
      if (left > 0) this.#starting.set(key, left);
      else this.#starting.delete(key);
      this.#host.settled();
    }
    // A task may have taken it before it counted as started.
    await this.replenish();
  }

  /** Warm agents of `slot`: ready, being started, or restarting after a crash. */
  #count(slot: WarmSlot): number {
    let count = this.#starting.get(warmSlotKey(slot)) ?? 0;
    for (const agent of this.#host.agents()) {
      const { role, project, state } = agent.record;
      if (!agent.warm || role !== slot.role || project !== slot.project) continue;
      // A starting agent with restarts is a crashed one coming back; the others are counted in #starting.
      if (state === "ready" || (state === "starting" && agent.restarts.length > 0)) count += 1;
    }
    return count;
  }

  /** A project's pool ends (no task for the idle timeout): its warm agents stop, keeping their conversations. */
  #lapse(project: string): void {
    this.#projects.delete(project);
    for (const agent of this.#host.agents()) {
      if (!agent.warm || agent.record.project !== project) continue;
      agent.warm = false;
      if (agent.record.state === "ready") this.#host.stop(agent);
    }
  }
}

/** A string that names `slot`, for maps. */
export function warmSlotKey(slot: WarmSlot): string {
  return `${slot.role}\u0000${slot.project ?? ""}`;
}
