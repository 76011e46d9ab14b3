import { addUsage, emptyUsage, type TokenUsage } from "@cca/core";
import {
  AssistantLineSchema,
  LineKindSchema,
  TextBlockSchema,
  ToolResultBlockSchema,
  type ToolResultContent,
  ToolUseBlockSchema,
  TurnDurationLineSchema,
  UserLineSchema,
} from "./transcript-lines.js";

/** When the line was written (its `timestamp`), or null when it had none. */
type At = string | null;

/**
 * One thing in an agent's transcript: what it was told, what it said, a tool call and its
 * result, the tokens of one model response, the end of a turn.
 */
export type TranscriptEntry =
  | { kind: "user"; at: At; text: string }
  | { kind: "text"; at: At; text: string }
  | { kind: "tool_use"; at: At; id: string; name: string; input: Record<string, unknown> }
  | { kind: "tool_result"; at: At; toolUseId: string; isError: boolean; content: string; truncated: boolean }
  | { kind: "usage"; at: At; messageId: string; model: string | null; usage: TokenUsage }
  | { kind: "turn_end"; at: At; durationMs: number | null };

/** A transcript line that was skipped: its number in the text (from 1) and why. */
export interface MalformedLine {
  line: number;
  reason: string;
}

export interface ParseTranscriptOptions {
  /** Told of each line skipped because it is not JSON or not in a shape Claude Code writes. */
  onMalformedLine?: (problem: MalformedLine) => void;
}

/** Longest tool result kept, in characters; a longer one is cut and marked `truncated`. */
export const MAX_TOOL_RESULT_CHARS = 4000;

/** A message id whose usage goes after its last block, once the whole text has been read. */
interface UsageMark {
  messageId: string;
}

/**
 * The entries of a Claude Code transcript (JSONL text), oldest first. Parses by key with zod
 * and ignores line types and keys it does not know; a malformed line is skipped (and reported
 * to `onMalformedLine`), never thrown. Claude Code writes one line per content block, each
 * with its message's usage: `usage` comes once per message id, after the message's last block,
 * with the usage of its last line. `cost_usd` is 0: the transcript has no cost.
 * @example
 * const turn = sumUsage(parseTranscript(await readFile(path, "utf8")));
 */
export function parseTranscript(text: string, options: ParseTranscriptOptions = {}): TranscriptEntry[] {
  const items: (TranscriptEntry | UsageMark)[] = [];
  const usageById = new Map<string, { at: At; model: string | null; usage: TokenUsage }>();
  const lastMarkById = new Map<string, number>();
  const malformed = (line: number, reason: string) => options.onMalformedLine?.({ line, reason });

  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      malformed(lineNumber, `not JSON: ${(error as Error).message}`);
      continue;
    }
    const kind = LineKindSchema.safeParse(value);
    if (!kind.success) {
      malformed(lineNumber, "not an object with a string type");
      continue;
    }
    const problem =
      kind.data.type === "user"
        ? readUserLine(value, items)
        : kind.data.type === "assistant"
          ? readAssistantLine(value, items, usageById, lastMarkById)
          : kind.data.type === "system" && kind.data.subtype === "turn_duration"
            ? readTurnEnd(value, items)
            : undefined;
    if (problem) malformed(lineNumber, problem);
  }

  const entries: TranscriptEntry[] = [];
  for (const [index, item] of items.entries()) {
    if (!("messageId" in item)) {
      entries.push(item);
      continue;
    }
    const usage = usageById.get(item.messageId);
    if (usage && lastMarkById.get(item.messageId) === index)
      entries.push({ kind: "usage", messageId: item.messageId, ...usage });
  }
  return entries;
}

/** The total of the `usage` entries (e.g. of the text a turn appended to the transcript). */
export function sumUsage(entries: readonly TranscriptEntry[]): TokenUsage {
  const total = emptyUsage();
  for (const entry of entries) if (entry.kind === "usage") addUsage(total, entry.usage);
  return total;
}

/** Adds a user line's entries; returns what was wrong with it, if anything. */
function readUserLine(value: unknown, items: (TranscriptEntry | UsageMark)[]): string | undefined {
  const parsed = UserLineSchema.safeParse(value);
  if (!parsed.success) return `a user line of an unexpected shape: ${parsed.error.issues[0]?.message}`;
  const line = parsed.data;
  // Claude Code's own notes in the conversation (caveats, command output), not what the agent was told.
  if (line.isMeta) return undefined;
  const at = line.timestamp ?? null;
  const { content } = line.message;
  if (typeof content === "string") {
    if (content.trim() !== "") items.push({ kind: "user", at, text: content });
    return undefined;
  }
  let problem: string | undefined;
  let texts: string[] = [];
  const flushText = () => {
    const text = texts.join("\n");
    if (text.trim() !== "") items.push({ kind: "user", at, text });
    texts = [];
  };
  for (const block of content) {
    if (block.type === "text") {
      const text = TextBlockSchema.safeParse(block);
      if (text.success) texts.push(text.data.text);
      else problem = "a text block without text";
    } else if (block.type === "tool_result") {
      const result = ToolResultBlockSchema.safeParse(block);
      if (!result.success) {
        problem = `a tool_result block of an unexpected shape: ${result.error.issues[0]?.message}`;
        continue;
      }
      flushText();
      items.push({
        kind: "tool_result",
        at,
        toolUseId: result.data.tool_use_id,
        isError: result.data.is_error ?? false,
        ...truncated(toolResultText(result.data.content)),
      });
    }
  }
  flushText();
  return problem;
}

/** Adds an assistant line's text and tool calls, and notes its message's usage. */
function readAssistantLine(
  value: unknown,
  items: (TranscriptEntry | UsageMark)[],
  usageById: Map<string, { at: At; model: string | null; usage: TokenUsage }>,
  lastMarkById: Map<string, number>,
): string | undefined {
  const parsed = AssistantLineSchema.safeParse(value);
  if (!parsed.success) return `an assistant line of an unexpected shape: ${parsed.error.issues[0]?.message}`;
  const { message, timestamp } = parsed.data;
  const at = timestamp ?? null;
  let problem: string | undefined;
  for (const block of message.content) {
    if (block.type === "text") {
      const text = TextBlockSchema.safeParse(block);
      if (!text.success) problem = "a text block without text";
      else if (text.data.text.trim() !== "") items.push({ kind: "text", at, text: text.data.text });
    } else if (block.type === "tool_use") {
      const use = ToolUseBlockSchema.safeParse(block);
      if (!use.success) problem = `a tool_use block of an unexpected shape: ${use.error.issues[0]?.message}`;
      else items.push({ kind: "tool_use", at, id: use.data.id, name: use.data.name, input: use.data.input });
    }
  }
  if (message.usage) {
    const { usage } = message;
    usageById.set(message.id, {
      at,
      model: message.model ?? null,
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        cost_usd: 0,
      },
    });
  }
  lastMarkById.set(message.id, items.length);
  items.push({ messageId: message.id });
  return problem;
}

function readTurnEnd(value: unknown, items: (TranscriptEntry | UsageMark)[]): string | undefined {
  const parsed = TurnDurationLineSchema.safeParse(value);
  if (!parsed.success)
    return `a turn_duration line of an unexpected shape: ${parsed.error.issues[0]?.message}`;
  items.push({
    kind: "turn_end",
    at: parsed.data.timestamp ?? null,
    durationMs: parsed.data.durationMs ?? null,
  });
  return undefined;
}

/** A tool result as text: a string as it is; of blocks, the text ones, with others named (`[image]`). */
function toolResultText(content: ToolResultContent | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((block) => (block.type === "text" ? (block.text ?? "") : `[${block.type}]`)).join("\n");
}

function truncated(text: string): { content: string; truncated: boolean } {
  if (text.length <= MAX_TOOL_RESULT_CHARS) return { content: text, truncated: false };
  let end = MAX_TOOL_RESULT_CHARS;
  // Never cut between the two halves of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { content: text.slice(0, end), truncated: true };
}
