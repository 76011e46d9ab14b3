import { type ActivityEvent, CcaError, type EventBus, type Logger, noopLogger } from "@cca/core";
import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ACTIVITY_CHANNEL, type ActivityLog } from "../../activity/activity-log.js";
import { errorResponse } from "../errors.js";

const KEEPALIVE_MS = 15_000;
/** What a refused stream is told to wait before it tries again, in seconds. */
const RETRY_AFTER_S = 5;

/** Limits of `GET /events`; each has a default. */
export interface EventStreamLimits {
  /** `daemon.max_event_streams`: most streams open at once; one more is answered 503. Default 64. */
  maxStreams?: number;
  /**
   * `daemon.max_event_backlog`: how many events a client may fall behind. One that falls
   * further is sent a final `event: error` and disconnected. Default 1000.
   */
  maxBacklog?: number;
  /** How long a dropped client gets to take that final event before the stream is cut, in ms. Default 5000. */
  finalWriteMs?: number;
}

/** The limits `eventRoutes` applies where none is given. */
export const DEFAULT_EVENT_STREAM_LIMITS: Required<EventStreamLimits> = {
  maxStreams: 64,
  maxBacklog: 1000,
  finalWriteMs: 5000,
};

/**
 * `GET /events`: activity as server-sent events (`event: activity`, `id: <seq>`). A client
 * that reconnects with `Last-Event-ID` (or `?since=<seq>`) first gets what it missed.
 * Bounded per client and in total: a client that falls more than `maxBacklog` events
 * behind gets `event: error` (data `{"reason", "last_event_id"}`) and is disconnected, and
 * beyond `maxStreams` open streams a new one is refused with 503.
 */
export function eventRoutes(deps: {
  bus: EventBus;
  activity: ActivityLog;
  eventStreamLimits?: EventStreamLimits;
  logger?: Logger;
}): Hono {
  const limits = { ...DEFAULT_EVENT_STREAM_LIMITS, ...deps.eventStreamLimits };
  const logger = deps.logger ?? noopLogger;
  let open = 0;
  return new Hono().get("/events", (context) => {
    if (open >= limits.maxStreams) {
      context.header("Retry-After", String(RETRY_AFTER_S));
      const refusal = new CcaError(
        "too_many_streams",
        `${limits.maxStreams} event streams are open already, the most daemon.max_event_streams allows; close one (or raise the limit) and retry`,
        { details: { max_streams: limits.maxStreams } },
      );
      return errorResponse(context, refusal, logger);
    }
    open += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open -= 1;
    };
    const lastEventId = context.req.header("last-event-id") ?? context.req.query("since");
    const since = Number(lastEventId ?? Number.NaN);
    // Served by @hono/node-server, the response; in-process (app.request) there is none.
    const response = (context.env as Partial<HttpBindings> | undefined)?.outgoing;
    return streamSSE(context, async (stream) => {
      // A client that goes away (or is cut) frees its slot at once, before the loop notices.
      stream.onAbort(release);
      try {
        await serveEvents(stream, {
          ...deps,
          limits,
          logger,
          backlog: Number.isFinite(since) ? deps.activity.since(since) : [],
          release,
          response,
        });
      } finally {
        release();
      }
    });
  });
}

async function serveEvents(
  stream: SSEStreamingApi,
  options: {
    bus: EventBus;
    limits: Required<EventStreamLimits>;
    logger: Logger;
    backlog: ActivityEvent[];
    /** Frees the stream's slot; called before the subscription ends. */
    release(): void;
    /** The server's response, when served by @hono/node-server; none in process. */
    response?: HttpBindings["outgoing"];
  },
): Promise<void> {
  const { bus, limits, logger } = options;
  const pending = options.backlog;
  let wake: (() => void) | null = null;
  let dropped: string | null = null;
  let cut: NodeJS.Timeout | undefined;
  let lastSent: number | null = null;
  let writing = false;
  let unsubscribe: () => Promise<void>;
  try {
    unsubscribe = await bus.subscribe<ActivityEvent>(ACTIVITY_CHANNEL, (event) => {
      if (dropped) return;
      pending.push(event);
      if (pending.length > limits.maxBacklog) {
        dropped = `this client fell more than ${limits.maxBacklog} events behind (daemon.max_event_backlog), so the daemon dropped it; reconnect with Last-Event-ID to catch up on the events it still holds`;
        pending.length = 0;
        logger.warn("dropped an event stream client that fell behind", { max_backlog: limits.maxBacklog });
        // A client that does not read cannot take the final event either: cut it after a while.
        cut = setTimeout(() => cutOff(stream, options.response, limits, logger), limits.finalWriteMs);
      }
      wake?.();
    });
  } catch (error) {
    const reason = `could not subscribe to activity on the event bus (${error instanceof Error ? error.message : String(error)}); retry later`;
    await stream.writeSSE({ event: "error", data: JSON.stringify({ reason, last_event_id: null }) });
    return;
  }
  const keepalive = setInterval(() => {
    if (!writing) void stream.write(": keepalive\n\n");
  }, KEEPALIVE_MS);
  stream.onAbort(() => wake?.());
  try {
    while (!stream.aborted && !stream.closed && !dropped) {
      for (let event = pending.shift(); event && !dropped; event = pending.shift()) {
        writing = true;
        await stream.writeSSE({ event: "activity", id: String(event.seq), data: JSON.stringify(event) });
        writing = false;
        lastSent = event.seq;
      }
      await new Promise<void>((resolve) => {
        if (pending.length > 0 || stream.aborted || dropped) resolve();
        else wake = resolve;
      });
      wake = null;
    }
    if (dropped && !stream.aborted) {
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ reason: dropped, last_event_id: lastSent }),
      });
    }
  } finally {
    options.release();
    clearInterval(keepalive);
    // Written is not sent: behind a client that does not read, the end of the response
    // waits in the server's buffers too, so the cut stands until the response is done.
    const response = options.response;
    if (cut && response && !response.writableFinished && !response.destroyed && !stream.aborted) {
      const timer = cut;
      response.once("close", () => clearTimeout(timer));
    } else {
      clearTimeout(cut);
    }
    await unsubscribe().catch((error: unknown) =>
      logger.debug("could not end an event stream's subscription", { error }),
    );
  }
}

/**
 * Ends a dropped client's stream and its connection, whatever is still unsent. Aborting
 * alone ends the stream, but the server then waits for the socket to drain before it ends
 * the response, which a client that does not read never lets happen.
 */
function cutOff(
  stream: SSEStreamingApi,
  response: HttpBindings["outgoing"] | undefined,
  limits: Required<EventStreamLimits>,
  logger: Logger,
): void {
  if (response?.writableFinished) return;
  logger.warn("cut an event stream client that did not take its final event in time", {
    final_write_ms: limits.finalWriteMs,
  });
  stream.abort();
  response?.destroy();
}
