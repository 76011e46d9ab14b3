import type { ActivityEvent, EventBus } from "@cca/core";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { ACTIVITY_CHANNEL, type ActivityLog } from "../../activity/activity-log.js";

const KEEPALIVE_MS = 15_000;

/**
 * `GET /events`: activity as server-sent events (`event: activity`, `id: <seq>`). A client
 * that reconnects with `Last-Event-ID` (or `?since=<seq>`) first gets what it missed.
 */
export function eventRoutes(deps: { bus: EventBus; activity: ActivityLog }): Hono {
  return new Hono().get("/events", (context) =>
    streamSSE(context, async (stream) => {
      const since = Number(context.req.header("last-event-id") ?? context.req.query("since") ?? Number.NaN);
      const pending: ActivityEvent[] = Number.isFinite(since) ? deps.activity.since(since) : [];
      let wake: (() => void) | null = null;
      const unsubscribe = await deps.bus.subscribe<ActivityEvent>(ACTIVITY_CHANNEL, (event) => {
        pending.push(event);
        wake?.();
      });
      const keepalive = setInterval(() => void stream.write(": keepalive\n\n"), KEEPALIVE_MS);
      stream.onAbort(() => wake?.());
      try {
        while (!stream.aborted && !stream.closed) {
          for (let event = pending.shift(); event; event = pending.shift()) {
            await stream.writeSSE({ event: "activity", id: String(event.seq), data: JSON.stringify(event) });
          }
          await new Promise<void>((resolve) => {
            if (pending.length > 0 || stream.aborted) resolve();
            else wake = resolve;
          });
          wake = null;
        }
      } finally {
        clearInterval(keepalive);
        await unsubscribe();
      }
    }),
  );
}
