import { describe, expect, it } from "vitest";
import { readSseEvents } from "./sse.js";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("readSseEvents", () => {
  it("parses events split across chunks, skipping comments", async () => {
    const events = [];
    for await (const event of readSseEvents(
      streamOf(["event: activity\nid: 1\nda", 'ta: {"a":1}\n\n: keepalive\n\n', "data: x\ndata: y\n\n"]),
    )) {
      events.push(event);
    }
    expect(events).toEqual([
      { event: "activity", id: "1", data: '{"a":1}' },
      { event: "message", data: "x\ny" },
    ]);
  });
});
