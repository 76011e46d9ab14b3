import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StateStore } from "../src/state/state-store.js";

/** What the StateStore contract needs from an implementation. */
export interface StateStoreHarness {
  /** A store as one daemon sees it; each call is another daemon on the same state. */
  open(): Promise<StateStore>;
  /** Lets `ms` milliseconds pass for the store's clock. */
  letTimePass(ms: number): Promise<void>;
  /** Closes every store opened and removes what the test left behind. */
  dispose(): Promise<void>;
}

const TTL_MS = 100;
/** Past a TTL_MS expiry with room to spare. */
const PAST_TTL_MS = TTL_MS + 50;

/** The behaviour every StateStore must have, run against one implementation. */
export function describeStateStoreContract(
  name: string,
  createHarness: () => Promise<StateStoreHarness>,
): void {
  describe(`${name} (StateStore contract)`, () => {
    let harness: StateStoreHarness;
    /** Set only once the harness exists, so a failed setup is not followed by a second error. */
    let toDispose: StateStoreHarness | undefined;
    let store: StateStore;
    beforeEach(async () => {
      toDispose = undefined;
      harness = await createHarness();
      toDispose = harness;
      store = await harness.open();
    });
    afterEach(async () => {
      await toDispose?.dispose();
    });

    it("reads back a stored JSON value as a copy, and undefined for a missing key", async () => {
      const value = { id: "a1", roles: ["backend"], load: 0.5, parent: null };
      await store.set("agent:a1", value);
      value.roles.push("changed after set");
      expect(await store.get("agent:a1")).toEqual({ id: "a1", roles: ["backend"], load: 0.5, parent: null });
      expect(await store.get("agent:none")).toBeUndefined();
    });

    it("refuses values that are not JSON and times to live that are not positive", async () => {
      await expect(store.set("k", undefined)).rejects.toThrow(/JSON/);
      await expect(store.set("k", 1, { ttlMs: 0 })).rejects.toThrow(/ttlMs/);
      expect(await store.get("k")).toBeUndefined();
    });

    it("forgets a key once its time to live has passed", async () => {
      await store.set("short", "soon gone", { ttlMs: TTL_MS });
      await store.set("long", "stays");
      expect(await store.get("short")).toBe("soon gone");
      await harness.letTimePass(PAST_TTL_MS);
      expect(await store.get("short")).toBeUndefined();
      expect(await store.keys("")).toEqual(["long"]);
    });

    it("drops the time to live when a key is set again without one", async () => {
      await store.set("k", 1, { ttlMs: TTL_MS });
      await store.set("k", 2);
      await harness.letTimePass(PAST_TTL_MS);
      expect(await store.get("k")).toBe(2);
    });

    it("gives an existing key a new time to live with expire, and says false for a missing one", async () => {
      await store.set("k", "v");
      expect(await store.expire("k", TTL_MS)).toBe(true);
      expect(await store.expire("missing", TTL_MS)).toBe(false);
      await harness.letTimePass(PAST_TTL_MS);
      expect(await store.get("k")).toBeUndefined();
    });

    it("writes with setIfAbsent only when the key holds nothing (again after it expired)", async () => {
      expect(await store.setIfAbsent("leader", "a", { ttlMs: TTL_MS })).toBe(true);
      expect(await store.setIfAbsent("leader", "b")).toBe(false);
      expect(await store.get("leader")).toBe("a");
      await harness.letTimePass(PAST_TTL_MS);
      expect(await store.setIfAbsent("leader", "b")).toBe(true);
      expect(await store.get("leader")).toBe("b");
    });

    it("replaces a value with compareAndSet only when it equals the expected one", async () => {
      expect(await store.compareAndSet("n", undefined, { count: 1 })).toBe(true);
      expect(await store.compareAndSet("n", undefined, { count: 9 })).toBe(false);
      expect(await store.compareAndSet("n", { count: 5 }, { count: 9 })).toBe(false);
      const current = await store.get("n");
      expect(await store.compareAndSet("n", current, { count: 2 })).toBe(true);
      expect(await store.get("n")).toEqual({ count: 2 });
    });

    it("lets only one of two racing compareAndSet calls win", async () => {
      await store.set("counter", 0);
      const results = await Promise.all([
        store.compareAndSet("counter", 0, 1),
        store.compareAndSet("counter", 0, 1),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("says whether delete removed something", async () => {
      await store.set("k", "v");
      expect(await store.delete("k")).toBe(true);
      expect(await store.delete("k")).toBe(false);
      expect(await store.get("k")).toBeUndefined();
    });

    it("lists the keys under a prefix, sorted, without locks, taking glob characters literally", async () => {
      await store.set("agents:b", 1);
      await store.set("agents:a", 1);
      await store.set("tasks:t1", 1);
      await store.set("a*:x", 1);
      await store.set("ab:x", 1);
      await store.acquireLock("agents:lock", 1_000);
      expect(await store.keys("agents:")).toEqual(["agents:a", "agents:b"]);
      expect(await store.keys("a*")).toEqual(["a*:x"]);
      expect(await store.keys("nothing:")).toEqual([]);
    });

    it("shows one daemon's writes to another", async () => {
      const other = await harness.open();
      await store.set("shared", { from: "A" });
      expect(await other.get("shared")).toEqual({ from: "A" });
      expect(await other.delete("shared")).toBe(true);
      expect(await store.get("shared")).toBeUndefined();
    });

    describe("locks", () => {
      it("are exclusive between daemons until released", async () => {
        const other = await harness.open();
        const lock = await store.acquireLock("coordinator", 1_000);
        expect(lock?.resource).toBe("coordinator");
        expect(await other.acquireLock("coordinator", 1_000)).toBeUndefined();
        expect(await store.acquireLock("coordinator", 1_000)).toBeUndefined();
        expect(await lock?.release()).toBe(true);
        expect(await other.acquireLock("coordinator", 1_000)).toBeDefined();
      });

      it("let another daemon acquire once they expire", async () => {
        const other = await harness.open();
        await store.acquireLock("r", TTL_MS);
        await harness.letTimePass(PAST_TTL_MS);
        expect(await other.acquireLock("r", 1_000)).toBeDefined();
      });

      it("cannot be released or extended by a holder whose lock expired and went to another", async () => {
        const other = await harness.open();
        const stale = await store.acquireLock("r", TTL_MS);
        await harness.letTimePass(PAST_TTL_MS);
        const current = await other.acquireLock("r", 1_000);
        expect(current).toBeDefined();
        expect(await stale?.release()).toBe(false);
        expect(await stale?.extend()).toBe(false);
        expect(await store.acquireLock("r", 1_000)).toBeUndefined();
        expect(await current?.release()).toBe(true);
      });

      it("stay held past their first time to live when extended", async () => {
        const other = await harness.open();
        const lock = await store.acquireLock("r", TTL_MS);
        await harness.letTimePass(TTL_MS / 2);
        expect(await lock?.extend(TTL_MS * 3)).toBe(true);
        await harness.letTimePass(PAST_TTL_MS);
        expect(await other.acquireLock("r", 1_000)).toBeUndefined();
        expect(await lock?.release()).toBe(true);
        expect(await lock?.release()).toBe(false);
      });
    });
  });
}
