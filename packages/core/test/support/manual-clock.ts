import type { Clock } from "../../src/clock.js";

/** A clock that moves only when the test moves it. */
export class ManualClock implements Clock {
  #now = Date.parse("2030-01-01T00:00:00Z");

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
