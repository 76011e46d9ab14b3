import type { Config } from "@cca/core";

/** What to do about a crashed agent: restart it after `delayMs`, or not (the budget is spent). */
export type RestartDecision =
  | { restart: true; delayMs: number /** 1 for the first restart in the window. */; attempt: number }
  | { restart: false; reason: string };

/**
 * The restart budget and backoff of crashed agents: at most `restart_max` restarts within a
 * sliding window of `restart_window_s`, the n-th waiting `restart_backoff_ms` × 2ⁿ⁻¹, capped
 * at `restart_backoff_max_ms`.
 */
export class RestartPolicy {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #backoffMs: number;
  readonly #backoffMaxMs: number;

  constructor(
    config: Pick<
      Config["agents"],
      "restart_max" | "restart_window_s" | "restart_backoff_ms" | "restart_backoff_max_ms"
    >,
  ) {
    this.#max = config.restart_max;
    this.#windowMs = config.restart_window_s * 1000;
    this.#backoffMs = config.restart_backoff_ms;
    this.#backoffMaxMs = Math.max(config.restart_backoff_ms, config.restart_backoff_max_ms);
  }

  /**
   * Decides on a crash at `now` given the earlier restarts' times; a restart it grants is
   * added to `restarts` (which it also prunes to the window).
   */
  decide(restarts: number[], now: number): RestartDecision {
    const recent = restarts.filter((at) => now - at < this.#windowMs);
    restarts.splice(0, restarts.length, ...recent);
    if (this.#max === 0) {
      return {
        restart: false,
        reason: "not restarted: crashed agents are not restarted (agents.restart_max = 0)",
      };
    }
    if (recent.length >= this.#max) {
      return {
        restart: false,
        reason: `not restarted again: it was restarted ${recent.length} times in the last ${this.#windowMs / 1000} s (agents.restart_max = ${this.#max}, agents.restart_window_s)`,
      };
    }
    restarts.push(now);
    const delayMs = Math.min(this.#backoffMs * 2 ** recent.length, this.#backoffMaxMs);
    return { restart: true, delayMs, attempt: recent.length + 1 };
  }

  /** The sliding window restarts are counted in. */
  get windowMs(): number {
    return this.#windowMs;
  }
}
