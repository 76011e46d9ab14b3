/**
 * A positive whole number from the environment variable `name` (e.g. `BENCH_SUBMITS=50`),
 * else `fallback`. Counts are options so that a quick run and a full one use the same code.
 */
export function countOption(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `${name}=${JSON.stringify(raw)} must be a whole number of at least 1 (default ${fallback})`,
    );
  }
  return value;
}
