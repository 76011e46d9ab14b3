import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventBus } from "../src/event-bus.js";
import { Collector } from "./support/collector.js";

/** What the EventBus contract needs from an implementation. */
export interface EventBusHarness {
  /** A bus as one daemon sees it; each call is another daemon on the same channels. */
  open(): Promise<EventBus>;
  /** Closes every bus opened and removes what the test left behind. */
  dispose(): Promise<void>;
}

/** The behaviour every EventBus must have, run against one implementation. */
export function describeEventBusContract(name: string, createHarness: () => Promise<EventBusHarness>): void {
  describe(`${name} (EventBus contract)`, () => {
    let harness: EventBusHarness;
    /** Set only once the harness exists, so a failed setup is not followed by a second error. */
    let toDispose: EventBusHarness | undefined;
    beforeEach(async () => {
      toDispose = undefined;
      harness = await createHarness();
      toDispose = harness;
    });
    afterEach(async () => {
      await toDispose?.dispose();
    });

    it("delivers messages in publish order, to subscribers of that channel only", async () => {
      const bus = await harness.open();
      const one = new Collector();
      const two = new Collector();
      await bus.subscribe("one", one.handler);
      await bus.subscribe("two", two.handler);
      const sent = Array.from({ length: 50 }, (_, index) => index);
      for (const message of sent) await bus.publish("one", message);
      await bus.publish("two", "last");
      expect(await two.until(1)).toEqual(["last"]);
      expect(await one.until(50)).toEqual(sent);
    });

    it("carries JSON values intact", async () => {
      const bus = await harness.open();
      const seen = new Collector();
      await bus.subscribe("json", seen.handler);
      const messages = [{ task: { id: "t1", tags: ["a", "b"] }, n: 1.5 }, "text", null, [1, [2]], true];
      for (const message of messages) await bus.publish("json", message);
      expect(await seen.until(messages.length)).toEqual(messages);
    });

    it("stops delivering to a handler after it unsubscribes, and keeps the others", async () => {
      const bus = await harness.open();
      const leaving = new Collector();
      const staying = new Collector();
      const unsubscribe = await bus.subscribe("c", leaving.handler);
      await bus.subscribe("c", staying.handler);
      await bus.publish("c", 1);
      await leaving.until(1);
      await unsubscribe();
      await bus.publish("c", 2);
      expect(await staying.until(2)).toEqual([1, 2]);
      expect(leaving.messages).toEqual([1]);
    });

    it("delivers again to a channel subscribed anew after its last handler left", async () => {
      const bus = await harness.open();
      const first = new Collector();
      const unsubscribe = await bus.subscribe("again", first.handler);
      await unsubscribe();
      const second = new Collector();
      await bus.subscribe("again", second.handler);
      await bus.publish("again", "x");
      expect(await second.until(1)).toEqual(["x"]);
      expect(first.messages).toEqual([]);
    });

    it("has every subscription in place once subscribe resolves, even when made at the same time", async () => {
      const bus = await harness.open();
      const first = new Collector();
      const second = new Collector();
      const firstSubscribed = bus.subscribe("same", first.handler);
      await bus.subscribe("same", second.handler);
      await bus.publish("same", "x");
      expect(await second.until(1)).toEqual(["x"]);
      await firstSubscribed;
      expect(await first.until(1)).toEqual(["x"]);
    });

    it("lets two daemons see each other's messages", async () => {
      const daemonA = await harness.open();
      const daemonB = await harness.open();
      const seenByA = new Collector<string>();
      const seenByB = new Collector<string>();
      await daemonA.subscribe("shared", seenByA.handler);
      await daemonB.subscribe("shared", seenByB.handler);
      await daemonA.publish("shared", "from A");
      await daemonB.publish("shared", "from B");
      expect((await seenByA.until(2)).sort()).toEqual(["from A", "from B"]);
      expect((await seenByB.until(2)).sort()).toEqual(["from A", "from B"]);
    });

    it("keeps one daemon's subscription when another daemon unsubscribes from the same channel", async () => {
      const daemonA = await harness.open();
      const daemonB = await harness.open();
      const seenByA = new Collector();
      const seenByB = new Collector();
      const unsubscribeA = await daemonA.subscribe("shared", seenByA.handler);
      await daemonB.subscribe("shared", seenByB.handler);
      await unsubscribeA();
      await daemonA.publish("shared", "after");
      expect(await seenByB.until(1)).toEqual(["after"]);
      expect(seenByA.messages).toEqual([]);
    });
  });
}
