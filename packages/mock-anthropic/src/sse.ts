import type { AssistantContentBlock, AssistantMessage } from "./assistant-message.ts";

/** One server-sent event of the Messages API stream; `data.type` repeats the event name. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Deltas are cut into pieces of this many characters, so clients must concatenate as with the real API. */
const DELTA_CHUNK_CHARACTERS = 64;

/** Formats one event as `event: <name>\ndata: <json>\n\n`. */
export function formatSseEvent(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function chunks(text: string): string[] {
  if (text.length === 0) return [];
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += DELTA_CHUNK_CHARACTERS) {
    pieces.push(text.slice(start, start + DELTA_CHUNK_CHARACTERS));
  }
  return pieces;
}

function event(name: string, fields: Record<string, unknown>): SseEvent {
  return { event: name, data: { type: name, ...fields } };
}

function blockEvents(block: AssistantContentBlock, index: number): SseEvent[] {
  if (block.type === "text") {
    return [
      event("content_block_start", { index, content_block: { type: "text", text: "" } }),
      ...chunks(block.text).map((text) =>
        event("content_block_delta", { index, delta: { type: "text_delta", text } }),
      ),
      event("content_block_stop", { index }),
    ];
  }
  return [
    event("content_block_start", {
      index,
      content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
    }),
    ...chunks(JSON.stringify(block.input)).map((partial_json) =>
      event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }),
    ),
    event("content_block_stop", { index }),
  ];
}

/**
 * The event sequence of a streamed message: `message_start` (empty content, input usage),
 * then per block `content_block_start`, `content_block_delta`s, `content_block_stop`, then
 * `message_delta` (stop reason and final usage) and `message_stop`.
 */
export function messageToSseEvents(message: AssistantMessage): SseEvent[] {
  const { usage } = message;
  return [
    event("message_start", {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
      },
    }),
    ...message.content.flatMap(blockEvents),
    event("message_delta", {
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage,
    }),
    event("message_stop", {}),
  ];
}
