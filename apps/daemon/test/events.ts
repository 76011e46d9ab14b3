import { type ActivityEvent, ActivityEventSchema, readSseEvents } from "@cca/core";
import type { TestDaemon } from "./support.js";

/** Waits for the first activity event that `matches`, from the start of the daemon's event stream (`?since=0`). */
export async function eventMatching(
  daemon: TestDaemon,
  matches: (event: ActivityEvent) => boolean,
): Promise<ActivityEvent> {
  const abort = new AbortController();
  try {
    const response = await daemon.call("/api/v1/events?since=0", { signal: abort.signal });
    for await (const { data } of readSseEvents(response.body!, abort.signal)) {
      const event = ActivityEventSchema.parse(JSON.parse(data));
      if (matches(event)) return event;
    }
    throw new Error("the event stream ended before the event came");
  } finally {
    abort.abort();
  }
}
