/** The JSON text of a value about to be stored; refuses what JSON cannot carry. */
export function encodeValue(key: string, value: unknown): string {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError(
      `Cannot store ${typeof value} at "${key}": values must be JSON (use delete to remove)`,
    );
  }
  return text;
}

/** Parses stored JSON text, naming the key if it is not JSON. */
export function decodeValue<T>(key: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`The value at "${key}" is not JSON; was it written by something other than CCA?`, {
      cause: error,
    });
  }
}

/** A time to live as whole milliseconds; refuses values Redis would reject. */
export function checkTtl(ttlMs: number, what: string): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${what}: ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
