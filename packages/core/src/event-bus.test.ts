import { describe, expect, it } from "vitest";
import { InMemoryEventBus } from "./event-bus.js";

describe("InMemoryEventBus", () => {
  it("delivers messages in order to every subscriber of the channel only", async () => {
    const bus = new InMemoryEventBus();
    const a: unknown[] = [];
    const b: unknown[] = [];
    await bus.subscribe("one", (message) => a.push(message));
    await bus.subscribe("two", (message) => b.push(message));
    await bus.publish("one", 1);
    await bus.publish("one", 2);
    await bus.publish("two", 3);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([3]);
  });

  it("stops delivering after unsubscribe", async () => {
    const bus = new InMemoryEventBus();
    const seen: unknown[] = [];
    const unsubscribe = await bus.subscribe("c", (message) => seen.push(message));
    await bus.publish("c", 1);
    await unsubscribe();
    await bus.publish("c", 2);
    expect(seen).toEqual([1]);
  });

  it("keeps delivering when one handler throws, and reports the error", async () => {
    const errors: unknown[] = [];
    const bus = new InMemoryEventBus({ onHandlerError: (error) => errors.push(error) });
    const seen: unknown[] = [];
    await bus.subscribe("c", () => {
      throw new Error("bad handler");
    });
    await bus.subscribe("c", (message) => seen.push(message));
    await bus.publish("c", "x");
    expect(seen).toEqual(["x"]);
    expect(errors).toHaveLength(1);
  });
});
