/** Default wait before the first retry of a task whose handler rejected. */
export const DEFAULT_RETRY_BASE_MS = 500;
/** Default longest wait between two retries. */
export const DEFAULT_RETRY_MAX_MS = 30_000;

/**
 * Exponential backoff: `baseMs` after the first failure, twice that after the second,
 * and so on, never more than `maxMs`.
 */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), maxMs);
}
