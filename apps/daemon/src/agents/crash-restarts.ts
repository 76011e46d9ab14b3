import { randomUUID } from "node:crypto";
import type { Agent, AgentState, Clock, Config, Logger } from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import type { ManagedAgent } from "./managed-agent.js";
import type { RestartPolicy } from "./restart-policy.js";

/** How a crashed agent's process is started again. */
export interface Relaunch {
  previous: Agent;
  sessionId: string;
  resume: boolean;
  /** The agent it takes the place of: its reservation, inbox and restart budget carry over. */
  replaces: ManagedAgent;
}

/** What crash restarts need of the agent manager. */
export interface CrashRestartsHost {
  get(id: string): ManagedAgent | undefined;
  /** Starts the agent's process again; rejects if it could not start (and then reports nothing itself). */
  launch(relaunch: Relaunch): Promise<ManagedAgent>;
  setState(agent: ManagedAgent, state: AgentState): void;
  keepConversation(agent: ManagedAgent): void;
  /** Puts back a lost transcript from the agent's context snapshot, if any. */
  restore(agent: Agent): Promise<void>;
  /** Told of an agent that will not be restarted (its budget is spent). */
  gaveUp(agent: ManagedAgent): void;
  /** Resolves at the next change of an agent's state; rejects when `signal` aborts. */
  nextChange(signal: AbortSignal): Promise<void>;
  closed(): boolean;
}

type RestartConfig = Pick<
  Config["agents"],
  "restart_max" | "restart_window_s" | "restart_backoff_max_ms" | "startup_timeout_seconds"
>;

/**
 * Restarts agents whose Claude Code exited unexpectedly: after a backoff, within the restart
 * budget (RestartPolicy), as the same agent (id, totals, reservation) resuming its session,
 * or in a new conversation if that cannot be resumed. Past the budget the agent stays
 * `failed`, its `last_error` saying so. A stop cancels a restart that waits; the waits are
 * unref'd timers.
 */
export class CrashRestarts {
  readonly #host: CrashRestartsHost;
  readonly #policy: RestartPolicy;
  readonly #config: RestartConfig;
  readonly #activity: ActivityLog;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: {
    host: CrashRestartsHost;
    policy: RestartPolicy;
    config: RestartConfig;
    activity: ActivityLog;
    clock: Clock;
    logger: Logger;
  }) {
    this.#host = options.host;
    this.#policy = options.policy;
    this.#config = options.config;
    this.#activity = options.activity;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** A crashed agent (`what` happened): restarted in its conversation after a backoff, or failed past its budget. */
  crashed(agent: ManagedAgent, what: string): void {
    const { record } = agent;
    const decision = this.#host.closed()
      ? { restart: false as const, reason: "not restarted: the daemon is shutting down" }
      : this.#policy.decide(agent.restarts, this.#clock.now());
    if (!decision.restart) {
      record.last_error = { code: "agent_crashed", message: `${what}; ${decision.reason}` };
      this.#host.gaveUp(agent);
      this.#host.setState(agent, "failed");
      this.#host.keepConversation(agent);
      return;
    }
    const { delayMs, attempt } = decision;
    const budget = `restart ${attempt} of at most ${this.#config.restart_max} in ${this.#config.restart_window_s} s`;
    record.last_error = {
      code: "agent_crashed",
      message: `${what}; restarting in its conversation in ${delayMs} ms (${budget})`,
    };
    this.#host.setState(agent, "starting");
    this.#activity.record("agent.restarted", {
      agent_id: record.id,
      task_id: record.current_task_id,
      summary: `${record.role}: ${what}; restarting in ${delayMs} ms, resuming its conversation (${budget})`,
    });
    agent.restartTimer = setTimeout(() => {
      agent.restartTimer = null;
      void this.#restart(agent);
    }, delayMs);
    agent.restartTimer.unref();
  }

  /** Whether the agent crashed and waits for, or is in, its restart. */
  isRestarting(agent: ManagedAgent): boolean {
    return agent.record.state === "starting" && agent.record.last_error?.code === "agent_crashed";
  }

  /**
   * Resolves with the agent once it is restarted and still reserved for `taskId`; null when
   * it will not come back for it (budget spent, stopped, released) or its restart took longer
   * than its backoff and two starts allow. Rejects when `signal` aborts.
   */
  async restarted(agentId: string, taskId: string, signal?: AbortSignal): Promise<Agent | null> {
    const deadline = AbortSignal.timeout(
      this.#config.restart_backoff_max_ms + 2 * this.#config.startup_timeout_seconds * 1000 + 10_000,
    );
    const waitSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
    for (;;) {
      const agent = this.#host.get(agentId);
      if (!agent || agent.record.current_task_id !== taskId) return null;
      const { state } = agent.record;
      const reserved = state === "busy" || state === "waiting_input";
      if (reserved && !agent.driver.exited) return structuredClone(agent.record);
      // Busy with an ended process: its exit is yet to be told.
      if (state !== "starting" && !reserved) return null;
      try {
        await this.#host.nextChange(waitSignal);
      } catch (error) {
        if (signal?.aborted) throw error;
        return null;
      }
    }
  }

  async #restart(crashed: ManagedAgent): Promise<void> {
    if (crashed.stopping || this.#host.closed()) return;
    const previous = structuredClone(crashed.record);
    await this.#host.restore(previous).catch(() => {});
    let latest = crashed;
    const attempt = async (sessionId: string, resume: boolean): Promise<string | null> => {
      try {
        await this.#host.launch({ previous, sessionId, resume, replaces: latest });
        return null;
      } catch (error) {
        latest = this.#host.get(previous.id) ?? latest;
        return error instanceof Error ? error.message : String(error);
      }
    };
    let failure = previous.session_id ? await attempt(previous.session_id, true) : "it had no session";
    if (failure === null || latest.stopping || this.#host.closed()) return;
    this.#logger.warn("could not resume a crashed agent's conversation; starting a new one", {
      agent: previous.id,
      reason: failure,
    });
    failure = await attempt(randomUUID(), false);
    if (failure === null || latest.stopping || this.#host.closed()) return;
    this.crashed(latest, `Claude Code could not be restarted: ${failure}`);
  }
}
