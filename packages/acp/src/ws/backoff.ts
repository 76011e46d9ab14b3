/** How a client retries: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** Delay before the first retry, in ms. Default 500. */
  initialDelayMs?: number;
  /** Longest delay between attempts, in ms. Default 30 000. */
  maxDelayMs?: number;
  /** Growth of the delay per failed attempt. Default 2. */
  factor?: number;
  /** Failed attempts in a row after which the client gives up (it counts from the last success). Default Infinity. */
  maxAttempts?: number;
  /** Randomisation as a fraction of the delay: 0.5 spreads each delay over ±50%. Default 0.5. */
  jitter?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry):
 * `min(maxDelayMs, initialDelayMs × factor^(attempt−1))`, spread by ±jitter and capped at `maxDelayMs`.
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions,
  random: () => number = Math.random,
): number {
  const { initialDelayMs = 500, maxDelayMs = 30_000, factor = 2, jitter = 0.5 } = options;
  const base = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt - 1));
  const spread = base * jitter * (2 * random() - 1);
  return Math.round(Math.max(0, Math.min(maxDelayMs, base + spread)));
}
