import { randomUUID } from "node:crypto";
import type { CacheSplit } from "./prompt-cache.ts";
import type { MockReply, MockUsage } from "./types.ts";

/** A content block of an assistant message as the Messages API returns it. */
export type AssistantContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** Usage as the Messages API reports it. */
export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** The cache writes by lifetime, as the API reports them beside the total. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** A complete (non-streamed) Messages API response body. */
export interface AssistantMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AssistantContentBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: WireUsage;
}

/** What the answer depends on besides the reply. */
export interface AssistantMessageContext {
  /** `model` of the request, echoed back. */
  model: string;
  /** Size of the request body in bytes; the default input token count is derived from it. */
  requestBytes: number;
  /** How the prompt cache split the input, when the reply scripts no usage of its own. */
  cache?: CacheSplit;
}

const CHARACTERS_PER_TOKEN = 4;

/** A non-zero token estimate for a size in characters (or bytes), about four per token. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / CHARACTERS_PER_TOKEN));
}

function newId(prefix: string): string {
  return `${prefix}_mock_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** A reply's own usage; what it leaves out is estimated (input, output) or 0 (cache). */
function scriptedUsage(
  usage: MockUsage,
  outputCharacters: number,
  context: AssistantMessageContext,
): WireUsage {
  return {
    input_tokens: usage.input_tokens ?? estimateTokens(context.requestBytes),
    output_tokens: usage.output_tokens ?? estimateTokens(outputCharacters),
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    ...(usage.cache_creation ? { cache_creation: usage.cache_creation } : {}),
  };
}

/** Usage estimated from the sizes, the input split as the prompt cache read and wrote it. */
function defaultUsage(outputCharacters: number, context: AssistantMessageContext): WireUsage {
  const total = estimateTokens(context.requestBytes);
  const read = context.cache?.read ?? 0;
  const fiveMinute = context.cache?.written.fiveMinute ?? 0;
  const oneHour = context.cache?.written.oneHour ?? 0;
  return {
    input_tokens: Math.max(1, total - read - fiveMinute - oneHour),
    output_tokens: estimateTokens(outputCharacters),
    cache_creation_input_tokens: fiveMinute + oneHour,
    cache_read_input_tokens: read,
    ...(context.cache
      ? { cache_creation: { ephemeral_5m_input_tokens: fiveMinute, ephemeral_1h_input_tokens: oneHour } }
      : {}),
  };
}

/** Turns a scripted reply into the message the API would return. */
export function buildAssistantMessage(reply: MockReply, context: AssistantMessageContext): AssistantMessage {
  const content: AssistantContentBlock[] = [];
  if (reply.text !== undefined) content.push({ type: "text", text: reply.text });
  for (const toolUse of reply.toolUses ?? []) {
    content.push({
      type: "tool_use",
      id: toolUse.id ?? newId("toolu"),
      name: toolUse.name,
      input: toolUse.input,
    });
  }
  const outputCharacters = content
    .map((block) => (block.type === "text" ? block.text.length : JSON.stringify(block.input).length))
    .reduce((sum, length) => sum + length, 0);
  const hasToolUse = content.some((block) => block.type === "tool_use");
  return {
    id: newId("msg"),
    type: "message",
    role: "assistant",
    model: context.model,
    content,
    stop_reason: reply.stopReason ?? (hasToolUse ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: reply.usage
      ? scriptedUsage(reply.usage, outputCharacters, context)
      : defaultUsage(outputCharacters, context),
  };
}
