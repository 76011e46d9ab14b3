import { type EventHandler, InMemoryEventBus, readSseEvents, type SseEvent } from "@cca/core";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { ActivityLog } from "../src/activity/activity-log.js";
import { type EventStreamLimits, eventRoutes } from "../src/http/routes/events.js";

/** An in-memory bus that says when a subscription starts and when it ends. */
class WatchedBus extends InMemoryEventBus {
  readonly #waiters: { kind: "subscribed" | "unsubscribed"; count: number; resolve(): void }[] = [];
  subscribed = 0;
  unsubscribed = 0;

  override async subscribe<T>(channel: string, handler: EventHandler<T>): Promise<() => Promise<void>> {
    const unsubscribe = await super.subscribe(channel, handler);
    this.#count("subscribed");
    return async () => {
      await unsubscribe();
      this.#count("unsubscribed");
    };
  }

  /** Resolves once `count` subscriptions have started (or ended). */
  until(kind: "subscribed" | "unsubscribed", count: number): Promise<void> {
    if (this[kind] >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ kind, count, resolve }));
  }

  #count(kind: "subscribed" | "unsubscribed"): void {
    this[kind] += 1;
    for (const waiter of [...this.#waiters]) {
      if (waiter.kind === kind && this[kind] >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

const responses: Response[] = [];
afterEach(async () => {
  await Promise.all(responses.splice(0).map((response) => response.body?.cancel().catch(() => {})));
});

function setup(limits: EventStreamLimits) {
  const bus = new WatchedBus();
  const activity = new ActivityLog({ bus });
  const app = new Hono().route("/", eventRoutes({ bus, activity, eventStreamLimits: limits }));
  const open = async () => {
    const response = await app.request("/events");
    responses.push(response);
    return response;
  };
  const record = (count: number) => {
    for (let i = 0; i < count; i += 1) activity.record("agent.text", { summary: `line ${i}` });
  };
  /**
   * A few events the stream writes until its unread body holds no more, then a burst: the
   * stream is stuck in a write when it falls behind, as with a client that stopped reading.
   */
  const flood = async (count: number) => {
    record(3);
    await new Promise((resolve) => setImmediate(resolve));
    record(count);
  };
  return { bus, open, flood };
}

async function readAll(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(response.body!)) events.push(event);
  return events;
}

describe("GET /events limits", () => {
  it("sends a client that falls too far behind a final error event and ends its stream", async () => {
    const { bus, open, flood } = setup({ maxBacklog: 10, finalWriteMs: 30_000 });
    const response = await open();
    await bus.until("subscribed", 1);
    // Nobody reads the body yet, so the stream's writes wait and the events pile up.
    await flood(50);
    const events = await readAll(response);
    const last = events.at(-1)!;
    expect(last.event).toBe("error");
    const error = JSON.parse(last.data) as { reason: string; last_event_id: number | null };
    expect(error.reason).toMatch(/fell more than 10 events behind \(daemon\.max_event_backlog\)/);
    const delivered = events.filter((event) => event.event === "activity");
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(11);
    expect(error.last_event_id).toBe(Number(delivered.at(-1)!.id));
    await bus.until("unsubscribed", 1);
  });

  it("cuts a dropped client that does not read at all, freeing its slot", async () => {
    const { bus, open, flood } = setup({ maxBacklog: 10, finalWriteMs: 50, maxStreams: 1 });
    await open();
    await bus.until("subscribed", 1);
    await flood(50);
    await bus.until("unsubscribed", 1);
    expect((await open()).status).toBe(200);
  });

  it("refuses a stream beyond maxStreams with a 503 naming the limit, until one closes", async () => {
    const { open } = setup({ maxStreams: 2 });
    const first = await open();
    expect((await open()).status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({
      error: {
        code: "too_many_streams",
        message: expect.stringMatching(
          /2 event streams are open already, the most daemon\.max_event_streams/,
        ),
      },
    });
    await first.body!.cancel();
    expect((await open()).status).toBe(200);
  });
});
