import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TurnLimiter } from "./turn-limiter.js";

/** Whether a promise has settled, once the microtasks before it ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe("TurnLimiter", () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse("2026-12-04T10:00:00.000Z") }));
  afterEach(() => vi.useRealTimers());

  it("lets turns start up to its limit; the next waits for one to end", async () => {
    const limiter = new TurnLimiter({ max: 2 });
    const first = await limiter.acquire("a", []);
    await limiter.acquire("b", []);
    const third = limiter.acquire("c", []);
    expect(await settled(third)).toBe(false);
    expect(limiter.view()).toMatchObject({ limit: 2, active: 2, waiting: 1 });
    first();
    expect(await settled(third)).toBe(true);
    expect(limiter.view()).toMatchObject({ active: 2, waiting: 0 });
  });

  it("halves at a rate limit, once per hold, holds new turns for the retry-after, and grows back", async () => {
    const limiter = new TurnLimiter({ max: 8 });
    expect(limiter.rateLimited(2_000)).toEqual({ from: 8, to: 4, waitMs: 2_000 });
    // Claude Code's next retry of the same refusal: the hold grows, the limit stays.
    expect(limiter.rateLimited(3_000)).toEqual({ from: 4, to: 4, waitMs: 3_000 });
    expect(limiter.view()).toMatchObject({ limit: 4, wait_until: "2026-12-04T10:00:03.000Z" });
    const held = limiter.acquire("a", []);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(await settled(held)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(held)).toBe(true);
    // After the hold a new refusal halves again; with no retry-after it waits the default.
    expect(limiter.rateLimited(null)).toEqual({ from: 4, to: 2, waitMs: 30_000 });
    // 2 + 1/2 + 1/2.5 + 1/2.9: about one more per round of turns.
    for (let turn = 0; turn < 3; turn++) limiter.succeeded();
    expect(limiter.view().limit).toBe(3);
    for (let turn = 0; turn < 100; turn++) limiter.succeeded();
    expect(limiter.view().limit).toBe(8);
  });

  it("never goes below one turn at once", () => {
    const limiter = new TurnLimiter({ max: 1, defaultWaitMs: 0 });
    expect(limiter.rateLimited(null)).toEqual({ from: 1, to: 1, waitMs: 0 });
  });

  it("does not count a turn while its parts run, so they always find room", async () => {
    const limiter = new TurnLimiter({ max: 1 });
    await limiter.acquire("root", []);
    // Another task waits for the root's place...
    const other = limiter.acquire("other", []);
    // ...and the root's part starts anyway: the root waits on it, not on the API.
    const part = await limiter.acquire("part", ["root"]);
    expect(limiter.view()).toMatchObject({ active: 1, waiting: 1 });
    // A second part would make two turns at once: it waits.
    const second = limiter.acquire("part2", ["root"]);
    expect(await settled(second)).toBe(false);
    part();
    expect(await settled(second)).toBe(true);
    expect(await settled(other)).toBe(false);
  });

  it("gives up a wait when its signal aborts, and every wait when it closes", async () => {
    const limiter = new TurnLimiter({ max: 1 });
    await limiter.acquire("a", []);
    const stop = new AbortController();
    const aborted = limiter.acquire("b", [], stop.signal);
    stop.abort(new Error("cancelled"));
    await expect(aborted).rejects.toThrow("cancelled");
    const closing = limiter.acquire("c", []);
    limiter.close();
    await expect(closing).rejects.toMatchObject({ code: "shutting_down" });
    expect(limiter.view().waiting).toBe(0);
  });
});
