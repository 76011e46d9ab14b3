import type { TokenUsage } from "./domain/schemas.js";

/**
 * A cost in US dollars: four decimals below a dollar, two from a dollar up.
 *
 * @example formatCost(0.012345) // "$0.0123"; formatCost(12.5) // "$12.50"
 */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/**
 * A duration in milliseconds, compactly: `850ms`, `4.2s`, `3m04s`, `2h05m`. Negative
 * durations (clock skew) show as `0ms`.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, "0")}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, "0")}m`;
}

/**
 * How long before `now` (epoch milliseconds, as `Clock.now()` gives) the ISO timestamp `iso`
 * was, compactly: `12s`, `5m`, `3h` (up to two days), then `4d`. `-` for no timestamp, `?`
 * for one that does not parse; a timestamp in the future counts as `0s`.
 */
export function formatAge(iso: string | null, now: number): string {
  if (!iso) return "-";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "?";
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/**
 * A count for a terminal column, compactly: `950`, `12.3k`, `2k`, `4.5M`.
 * For prose, where the exact number reads better, use {@link formatGroupedCount}.
 */
export function formatCompactCount(count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) return `${withoutTrailingZero((count / 1000).toFixed(1))}k`;
  return `${withoutTrailingZero((count / 1_000_000).toFixed(1))}M`;
}

/** Memory for a terminal column, in binary units: `512K`, `312M`, `1.2G`; `-` when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "-";
  const units: [number, string][] = [
    [2 ** 30, "G"],
    [2 ** 20, "M"],
    [2 ** 10, "K"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${value < 10 ? withoutTrailingZero(value.toFixed(1)) : Math.round(value)}${unit}`;
    }
  }
  return `${bytes}B`;
}

/**
 * A count in full with thousands separators, for prose: `1234567` → `1,234,567`.
 * For a narrow column use {@link formatCompactCount}.
 */
export function formatGroupedCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** Every token a usage record counts: input, output and both kinds of cache tokens. */
export function totalTokens(usage: TokenUsage): number {
  return (
    usage.input_tokens +
    usage.output_tokens +
    usage.cache_creation_input_tokens +
    usage.cache_read_input_tokens
  );
}

function withoutTrailingZero(value: string): string {
  return value.endsWith(".0") ? value.slice(0, -2) : value;
}
