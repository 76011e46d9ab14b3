import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChannel, publishOn, subscribeTo } from "./bus-channel.js";
import { InMemoryEventBus } from "./event-bus.js";

const Control = defineChannel("test:control", z.object({ cancel: z.string() }));

describe("typed bus channels", () => {
  it("deliver parsed messages and drop the ones that do not fit the channel's schema, saying why", async () => {
    const bus = new InMemoryEventBus();
    const received: { cancel: string }[] = [];
    const problems: string[] = [];
    await subscribeTo(
      bus,
      Control,
      (message) => received.push(message),
      (problem) => problems.push(problem),
    );
    await publishOn(bus, Control, { cancel: "task_1" });
    await bus.publish(Control.name, { cancel: 42 });
    await bus.publish(Control.name, "cancel everything");
    expect(received).toEqual([{ cancel: "task_1" }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/a message on test:control does not parse/);
  });
});
