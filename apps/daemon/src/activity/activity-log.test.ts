import { type Clock, InMemoryEventBus, type LogFields, type Logger } from "@cca/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ACTIVITY_CHANNEL, ActivityLog } from "./activity-log.js";

/** A bus whose publish rejects (as RedisEventBus does while Redis is down) until `failing` is false. */
class FlakyBus extends InMemoryEventBus {
  failing = true;

  override publish(channel: string, message: unknown): Promise<void> {
    if (this.failing)
      return Promise.reject(new Error("Reached the max retries per request limit (which is 20)"));
    return super.publish(channel, message);
  }
}

class ManualClock implements Clock {
  #now = Date.parse("2030-01-01T00:00:00Z");
  now = () => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}

function recordingLogger() {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return { logger, lines };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Lets pending promise callbacks run and Node report any rejection nobody handled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("ActivityLog", () => {
  it("keeps an event and logs, with no unhandled rejection, when the bus cannot publish it", async () => {
    const { logger, lines } = recordingLogger();
    const activity = new ActivityLog({ bus: new FlakyBus(), logger });
    const event = activity.record("task.queued", { task_id: "task_1", summary: "queued" });
    await settle();
    expect(unhandled).toEqual([]);
    expect(activity.recent(10)).toEqual([event]);
    expect(lines).toMatchObject([
      {
        level: "warn",
        message: expect.stringMatching(/could not publish activity/),
        fields: { failed_since_last_report: 1, last_seq: 1, error: expect.stringMatching(/max retries/) },
      },
    ]);
  });

  it("logs a long outage once per interval, not once per event, and says when the bus works again", async () => {
    const clock = new ManualClock();
    const bus = new FlakyBus();
    const { logger, lines } = recordingLogger();
    const activity = new ActivityLog({ bus, clock, logger, failureLogIntervalMs: 60_000 });
    for (let i = 0; i < 500; i += 1) activity.record("agent.text", { summary: `line ${i}` });
    await settle();
    expect(lines).toHaveLength(1);
    clock.advance(60_000);
    activity.record("agent.text", { summary: "a minute later" });
    await settle();
    expect(lines.map((line) => [line.level, line.fields.failed_since_last_report])).toEqual([
      ["warn", 1],
      ["warn", 500],
    ]);
    bus.failing = false;
    clock.advance(60_000);
    const received: unknown[] = [];
    await bus.subscribe(ACTIVITY_CHANNEL, (message) => received.push(message));
    const back = activity.record("agent.text", { summary: "bus is back" });
    await settle();
    expect(received).toEqual([back]);
    expect(lines.at(-1)).toMatchObject({ level: "info", message: expect.stringMatching(/works again/) });
    expect(unhandled).toEqual([]);
  });
});
