/** Where time comes from; injected so tests can control it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** An ISO-8601 timestamp for a clock reading. */
export function isoTime(clock: Clock = systemClock): string {
  return new Date(clock.now()).toISOString();
}
