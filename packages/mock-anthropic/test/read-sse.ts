import type { SseEvent } from "../src/sse.ts";

/** Splits a text/event-stream body into events, as an SSE client would. */
export function readSse(body: string): SseEvent[] {
  return body
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const fields = new Map<string, string>();
      for (const line of frame.split("\n")) {
        const colon = line.indexOf(":");
        fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      return { event: fields.get("event") ?? "", data: JSON.parse(fields.get("data") ?? "null") };
    });
}
