import { setTimeout as delay } from "node:timers/promises";
import { type ActivityEvent, CcaError, type DaemonClient } from "@cca/core";

/** Pause before reopening an event stream the daemon closed, so a stream that keeps closing does not spin. */
const RECONNECT_MS = 1_000;

/** When a live view should look again: on the daemon's events, and on a periodic poll in case one is missed. */
export interface LiveUpdates {
  /**
   * Resolves at the next reason to look again (a relevant event, a poll that answered, an
   * abort); reasons that came while nobody waited count as one. Rejects if the event stream
   * or the poll failed.
   */
  next(): Promise<void>;
  /** The events received since the last call, oldest first. */
  takeEvents(): ActivityEvent[];
}

export interface LiveUpdateOptions {
  /** Stops both the event stream and the poll. */
  signal: AbortSignal;
  /**
   * One round of the fallback poll: a long poll or a plain wait. Resolves `false` when there is
   * nothing more to poll for (say, the task has ended).
   */
  poll: (signal: AbortSignal) => Promise<boolean>;
  /** Whether an event calls for a look; by default every event does. */
  relevant?: (event: ActivityEvent) => boolean;
}

/**
 * Follows the daemon's event stream (`GET /api/v1/events`, reopened when it closes) and a
 * fallback poll side by side, until `signal` aborts. A daemon without the event stream (404)
 * is followed by the poll alone.
 * @example
 * const updates = followLiveUpdates(client, { signal, poll: (s) => delay(5000, true, { signal: s }) });
 * while (!signal.aborted) { await updates.next(); render(await load()); }
 */
export function followLiveUpdates(client: DaemonClient, options: LiveUpdateOptions): LiveUpdates {
  const { signal } = options;
  let pending = false;
  let failure: { error: unknown } | undefined;
  let waiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  let events: ActivityEvent[] = [];

  const wake = () => {
    pending = true;
    if (!waiter) return;
    const { resolve } = waiter;
    waiter = undefined;
    pending = false;
    resolve();
  };
  const fail = (error: unknown) => {
    if (signal.aborted) return;
    failure ??= { error };
    waiter?.reject(error);
    waiter = undefined;
  };
  signal.addEventListener("abort", wake, { once: true });

  const followEvents = async () => {
    while (!signal.aborted) {
      try {
        for await (const event of client.events(signal)) {
          events.push(event);
          if (options.relevant?.(event) ?? true) wake();
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof CcaError && error.code === "not_found") return;
        throw error;
      }
      // The stream ended: something may have been missed while it was down.
      wake();
      await delay(RECONNECT_MS, undefined, { signal }).catch(() => {});
    }
  };
  const followPoll = async () => {
    while (!signal.aborted) {
      let more: boolean;
      try {
        more = await options.poll(signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      wake();
      if (!more) return;
    }
  };
  followEvents().catch(fail);
  followPoll().catch(fail);

  return {
    next() {
      if (failure) return Promise.reject(failure.error);
      if (pending || signal.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    takeEvents() {
      const taken = events;
      events = [];
      return taken;
    },
  };
}

/** A fallback poll that just waits `ms` (for views with nothing to long-poll). */
export function pollEvery(ms: number): (signal: AbortSignal) => Promise<boolean> {
  return (signal) =>
    delay(ms, true, { signal }).catch((error: unknown) => {
      if (signal.aborted) return false;
      throw error;
    });
}
