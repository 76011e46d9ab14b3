/**
 * The longest delay Node's timers honour, in ms: 2^31 - 1, about 24.8 days. `setTimeout`
 * fires a longer delay after 1 ms instead (with a TimeoutOverflowWarning), which turns a
 * generous timeout into an immediate one.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** MAX_TIMER_MS in whole seconds (2 147 483): the upper bound of every `*_seconds` config key. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * A delay fit for `setTimeout`/`setInterval`: anything above MAX_TIMER_MS (Infinity
 * included) becomes MAX_TIMER_MS, and a negative or NaN delay becomes 0, as Node would
 * treat it anyway. Use it wherever a delay is computed (a sum, a product, a deadline
 * minus now) rather than read from a validated config key.
 * @example setTimeout(onTimeout, clampTimerMs(task.timeout_s * 1000));
 */
export function clampTimerMs(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}
