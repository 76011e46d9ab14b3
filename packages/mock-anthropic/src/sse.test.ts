import { describe, expect, it } from "vitest";
import { readSse } from "../test/read-sse.ts";
import { buildAssistantMessage } from "./assistant-message.ts";
import { formatSseEvent, messageToSseEvents } from "./sse.ts";

const context = { model: "claude-test", requestBytes: 400 };

function stream(reply: Parameters<typeof buildAssistantMessage>[0]) {
  const message = buildAssistantMessage(reply, context);
  const body = messageToSseEvents(message).map(formatSseEvent).join("");
  return { message, events: readSse(body) };
}

describe("formatSseEvent", () => {
  it("writes an event line, a data line with compact JSON and a blank line", () => {
    const text = formatSseEvent({ event: "message_stop", data: { type: "message_stop" } });

    expect(text).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });
});

describe("messageToSseEvents", () => {
  it("frames a text reply as start, block start/delta/stop, delta with stop reason, stop", () => {
    const { events } = stream({ text: "hello", usage: { input_tokens: 12, output_tokens: 3 } });

    expect(events.map((event) => event.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events.every((event) => event.data.type === event.event)).toBe(true);
    expect(events[1]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(events[2]?.data).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "hello" },
    });
    expect(events[4]?.data).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 3 },
    });
  });

  it("starts the message empty, with the model, input usage and no stop reason", () => {
    const { message, events } = stream({ text: "hi", usage: { input_tokens: 12, output_tokens: 3 } });

    expect(events[0]?.data.message).toEqual({
      id: message.id,
      type: "message",
      role: "assistant",
      model: "claude-test",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it("streams tool input as input_json_delta pieces that join to the input, with stop reason tool_use", () => {
    const input = { command: "echo hi", note: "x".repeat(150) };
    const { events } = stream({ text: "running", toolUses: [{ id: "toolu_1", name: "Bash", input }] });

    const toolStart = events.find((event) => event.event === "content_block_start" && event.data.index === 1);
    const jsonPieces = events
      .filter((event) => event.event === "content_block_delta" && event.data.index === 1)
      .map((event) => event.data.delta as { type: string; partial_json: string });
    expect(toolStart?.data.content_block).toEqual({
      type: "tool_use",
      id: "toolu_1",
      name: "Bash",
      input: {},
    });
    expect(jsonPieces.length).toBeGreaterThan(1);
    expect(jsonPieces.every((delta) => delta.type === "input_json_delta")).toBe(true);
    expect(JSON.parse(jsonPieces.map((delta) => delta.partial_json).join(""))).toEqual(input);
    expect(events.find((event) => event.event === "message_delta")?.data.delta).toMatchObject({
      stop_reason: "tool_use",
    });
  });

  it("cuts long text into several deltas whose concatenation is the text", () => {
    const text = "The quick brown fox. ".repeat(20);
    const { events } = stream({ text });

    const deltas = events.filter((event) => event.event === "content_block_delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => (event.data.delta as { text: string }).text).join("")).toBe(text);
  });
});

describe("buildAssistantMessage", () => {
  it("derives non-zero usage from the sizes when none is scripted", () => {
    const message = buildAssistantMessage({ text: "" }, { model: "m", requestBytes: 4000 });

    expect(message.usage.input_tokens).toBe(1000);
    expect(message.usage.output_tokens).toBe(1);
  });

  it("gives each tool use without an id a distinct toolu_ id", () => {
    const message = buildAssistantMessage(
      {
        toolUses: [
          { name: "Read", input: {} },
          { name: "Read", input: {} },
        ],
      },
      context,
    );

    const ids = message.content.map((block) => (block.type === "tool_use" ? block.id : ""));
    expect(ids[0]).toMatch(/^toolu_/);
    expect(new Set(ids).size).toBe(2);
  });
});
