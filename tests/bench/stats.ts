/** The value at quantile `q` (0..1) of `samples`, by nearest rank. */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of `samples`, by nearest rank. */
export function p50(samples: number[]): number {
  return quantile(samples, 0.5);
}

/** One printed row: name, sample count, p50, p99, mean, in milliseconds. */
export function row(name: string, samples: number[]): string {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const cells = [quantile(samples, 0.5), quantile(samples, 0.99), mean].map((value) =>
    value.toFixed(1).padStart(9),
  );
  return `${name.padEnd(58)} ${String(samples.length).padStart(4)} ${cells.join(" ")}`;
}

export const HEADER = `${"measure (ms)".padEnd(58)} ${"n".padStart(4)} ${"p50".padStart(9)} ${"p99".padStart(9)} ${"mean".padStart(9)}`;
