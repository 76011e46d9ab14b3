import { type AgentState, clampTimerMs } from "@cca/core";
import type { ManagedAgent } from "./managed-agent.js";

/**
 * The timers that follow an agent's state: an idle (ready) agent is stopped after the idle
 * timeout (unless the warm pool keeps it), a stopped or failed one leaves the list after the
 * retention period. Every timer is unref'd: none keeps the daemon alive.
 */
export class AgentTimers {
  readonly #idleTimeoutMs: number;
  readonly #stoppedRetentionMs: number;
  readonly #onIdle: (agent: ManagedAgent) => void;
  readonly #onRetentionEnd: (agent: ManagedAgent) => void;

  constructor(options: {
    /** 0: idle agents run until stopped. */
    idleTimeoutMs: number;
    stoppedRetentionMs: number;
    /** Told when an agent has been idle for the idle timeout. */
    onIdle: (agent: ManagedAgent) => void;
    /** Told when a stopped or failed agent's retention period ended. */
    onRetentionEnd: (agent: ManagedAgent) => void;
  }) {
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#stoppedRetentionMs = options.stoppedRetentionMs;
    this.#onIdle = options.onIdle;
    this.#onRetentionEnd = options.onRetentionEnd;
  }

  get idleTimeoutMs(): number {
    return this.#idleTimeoutMs;
  }

  /** Sets the timers for the agent's new `state`, clearing those of its last. */
  follow(agent: ManagedAgent, state: AgentState): void {
    this.clear(agent);
    if (state === "ready" && this.#idleTimeoutMs > 0 && !agent.warm) {
      agent.idleTimer = setTimeout(() => {
        agent.idleTimer = null;
        this.#onIdle(agent);
      }, clampTimerMs(this.#idleTimeoutMs));
      agent.idleTimer.unref();
    }
    if (state === "stopped" || state === "failed") {
      agent.retentionTimer = setTimeout(() => {
        agent.retentionTimer = null;
        this.#onRetentionEnd(agent);
      }, clampTimerMs(this.#stoppedRetentionMs));
      agent.retentionTimer.unref();
    }
  }

  /** Clears the agent's idle and retention timers (not a pending restart: a stop or its relaunch clears that). */
  clear(agent: ManagedAgent): void {
    if (agent.idleTimer) clearTimeout(agent.idleTimer);
    if (agent.retentionTimer) clearTimeout(agent.retentionTimer);
    agent.idleTimer = null;
    agent.retentionTimer = null;
  }
}
