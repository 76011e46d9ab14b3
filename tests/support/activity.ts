import { type ActivityEvent, ActivityEventSchema, readSseEvents } from "@cca/core";
import type { CcadProcess } from "./ccad-process.js";

/** The daemon's activity, replayed from its start (`?since=0`), until `until` matches one; resolves with all seen. */
export async function activityUntil(
  ccad: CcadProcess,
  until: (event: ActivityEvent) => boolean,
): Promise<ActivityEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${ccad.url}/api/v1/events?since=0`, {
    headers: { authorization: `Bearer ${ccad.token}` },
    signal: controller.signal,
  });
  const seen: ActivityEvent[] = [];
  try {
    for await (const message of readSseEvents(response.body!, controller.signal)) {
      const event = ActivityEventSchema.safeParse(JSON.parse(message.data));
      if (!event.success) continue;
      seen.push(event.data);
      if (until(event.data)) return seen;
    }
  } finally {
    controller.abort();
  }
  throw new Error(
    `the event stream ended before the awaited event; saw ${seen.map((e) => e.kind).join(", ")}`,
  );
}

/**
 * Resolves once the ReasoningBank's distiller has ended `count` tasks, stored or failed,
 * with their ids. Start it before the tasks run: the stream replays from the daemon's start.
 */
export async function distillationsEnded(ccad: CcadProcess, count: number): Promise<Set<string>> {
  const ended = new Set<string>();
  await activityUntil(ccad, (event) => {
    if ((event.kind === "memory.distilled" || event.kind === "memory.distill_failed") && event.task_id)
      ended.add(event.task_id);
    return ended.size >= count;
  });
  return ended;
}
