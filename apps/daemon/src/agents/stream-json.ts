import { emptyUsage, type TokenUsage } from "@cca/core";

/** Lines Claude Code writes in `--output-format stream-json`, reduced to what the daemon uses. */
export type ClaudeOutputLine =
  | { type: "system_init"; sessionId: string; model: string | null; tools: string[] }
  | { type: "api_retry"; attempt: number | null; error: string | null }
  | { type: "assistant_text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; toolUseId: string; isError: boolean; content: string }
  | { type: "result"; result: TurnOutcome }
  | { type: "control_response"; requestId: string; success: boolean; error: string | null; payload: unknown }
  | { type: "other"; raw: Record<string, unknown> };

/** What a `result` line says about the turn it ends. */
export interface TurnOutcome {
  subtype: string;
  isError: boolean;
  text: string;
  sessionId: string | null;
  numTurns: number | null;
  durationMs: number | null;
  /** Token counts of this turn; cost is filled in by the session (the line's cost accumulates). */
  usage: TokenUsage;
  /** `total_cost_usd`: the process's cost so far. */
  totalCostUsd: number;
  apiErrorStatus: number | null;
  permissionDenials: string[];
}

type Json = Record<string, unknown>;

const asString = (value: unknown): string | null => (typeof value === "string" ? value : null);
const asNumber = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const asObject = (value: unknown): Json | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
const count = (value: unknown): number => Math.max(0, Math.trunc(asNumber(value) ?? 0));

function parseUsage(value: unknown): TokenUsage {
  const usage = asObject(value);
  if (!usage) return emptyUsage();
  return {
    input_tokens: count(usage.input_tokens),
    output_tokens: count(usage.output_tokens),
    cache_creation_input_tokens: count(usage.cache_creation_input_tokens),
    cache_read_input_tokens: count(usage.cache_read_input_tokens),
    cost_usd: 0,
  };
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => asString(asObject(block)?.text) ?? "")
    .filter(Boolean)
    .join("\n");
}

function parseResult(line: Json): TurnOutcome {
  const denials = Array.isArray(line.permission_denials) ? line.permission_denials : [];
  return {
    subtype: asString(line.subtype) ?? "unknown",
    isError: line.is_error === true,
    text: asString(line.result) ?? "",
    sessionId: asString(line.session_id),
    numTurns: asNumber(line.num_turns),
    durationMs: asNumber(line.duration_ms),
    usage: parseUsage(line.usage),
    totalCostUsd: asNumber(line.total_cost_usd) ?? 0,
    apiErrorStatus: asNumber(line.api_error_status),
    permissionDenials: denials.map((denial) => asString(asObject(denial)?.tool_name) ?? "unknown tool"),
  };
}

/** Parses content blocks of an assistant or user line into text, tool uses and tool results. */
function parseBlocks(line: Json): ClaudeOutputLine[] {
  const message = asObject(line.message);
  const content = Array.isArray(message?.content) ? message.content : [];
  const parsed: ClaudeOutputLine[] = [];
  for (const item of content) {
    const block = asObject(item);
    if (!block) continue;
    if (block.type === "text" && typeof block.text === "string") {
      parsed.push({ type: "assistant_text", text: block.text });
    } else if (block.type === "tool_use") {
      parsed.push({
        type: "tool_use",
        id: asString(block.id) ?? "",
        name: asString(block.name) ?? "unknown",
        input: asObject(block.input) ?? {},
      });
    } else if (block.type === "tool_result") {
      parsed.push({
        type: "tool_result",
        toolUseId: asString(block.tool_use_id) ?? "",
        isError: block.is_error === true,
        content: contentText(block.content),
      });
    }
  }
  return parsed;
}

/**
 * Parses one stdout line by its keys. Returns [] for blank lines and throws for text that
 * is not a JSON object (the caller decides how loud to be about it).
 */
export function parseStreamLine(text: string): ClaudeOutputLine[] {
  if (text.trim() === "") return [];
  const line = asObject(JSON.parse(text));
  if (!line) throw new Error("stream-json line is not an object");
  switch (line.type) {
    case "system":
      if (line.subtype === "init") {
        return [
          {
            type: "system_init",
            sessionId: asString(line.session_id) ?? "",
            model: asString(line.model),
            tools: Array.isArray(line.tools) ? line.tools.filter((tool) => typeof tool === "string") : [],
          },
        ];
      }
      if (line.subtype === "api_retry") {
        return [{ type: "api_retry", attempt: asNumber(line.attempt), error: asString(line.error) }];
      }
      return [{ type: "other", raw: line }];
    case "assistant":
    case "user":
      return parseBlocks(line);
    case "result":
      return [{ type: "result", result: parseResult(line) }];
    case "control_response": {
      const response = asObject(line.response) ?? {};
      return [
        {
          type: "control_response",
          requestId: asString(response.request_id) ?? "",
          success: response.subtype === "success",
          error: asString(response.error),
          payload: response.response ?? null,
        },
      ];
    }
    default:
      return [{ type: "other", raw: line }];
  }
}

/** One line of stream-json input carrying a user turn. */
export function userTurnLine(text: string): string {
  return `${JSON.stringify({
    type: "user",
    message: { role: "user", content: text },
    parent_tool_use_id: null,
    session_id: "",
  })}\n`;
}

/** One line of stream-json input carrying a control request. */
export function controlRequestLine(requestId: string, request: Json): string {
  return `${JSON.stringify({ type: "control_request", request_id: requestId, request })}\n`;
}
