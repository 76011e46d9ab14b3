import type { RecordedRequest, RecordedToolResult } from "./types.ts";

interface WireBlock {
  type?: unknown;
  text?: unknown;
  tool_use_id?: unknown;
  content?: unknown;
  is_error?: unknown;
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
}

/** Where a request came from, besides its body. */
export interface RequestOrigin {
  path: string;
  headers: Record<string, string>;
}

// Claude Code injects context as <system-reminder> blocks inside user messages; an unclosed
// one (cut off) runs to the end of the text.
const SYSTEM_REMINDER = /<system-reminder>[\s\S]*?(?:<\/system-reminder>|$)/g;

/** Removes `<system-reminder>…</system-reminder>` sections and trims. */
export function stripSystemReminders(text: string): string {
  return text.replace(SYSTEM_REMINDER, "").trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function blocksOf(content: unknown): WireBlock[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (Array.isArray(content)) return content.filter(isRecord);
  return [];
}

function userText(message: WireMessage): string {
  return blocksOf(message.content)
    .filter((block) => block.type === "text" && typeof block.text === "string")
    .map((block) => stripSystemReminders(block.text as string))
    .filter((text) => text.length > 0)
    .join("\n");
}

function flattenToolResultContent(content: unknown): string {
  if (typeof content === "string") return content;
  return blocksOf(content)
    .map((block) =>
      block.type === "text" && typeof block.text === "string" ? block.text : `[${block.type}]`,
    )
    .join("\n");
}

function toolResultsOf(message: WireMessage | undefined): RecordedToolResult[] {
  if (message === undefined) return [];
  return blocksOf(message.content)
    .filter((block) => block.type === "tool_result")
    .map((block) => ({
      tool_use_id: typeof block.tool_use_id === "string" ? block.tool_use_id : "",
      content: flattenToolResultContent(block.content),
      is_error: block.is_error === true,
    }));
}

function systemTextOf(system: unknown): string {
  if (typeof system === "string") return system;
  return blocksOf(system)
    .map((block) => (typeof block.text === "string" ? block.text : ""))
    .join("\n");
}

/**
 * Tells Claude Code's helper calls from conversation turns. Observed on 2.1.197: session-title
 * generation asks for structured output (`output_config.format` of type `json_schema`, no tools).
 * Older versions sent a quota probe (`max_tokens: 1`, the single user text "quota").
 * `--json-schema` does NOT use `output_config.format` (it adds a StructuredOutput tool), so
 * structured output is a reliable marker of a helper call.
 */
export function isSideRequestBody(body: Record<string, unknown>, messages: WireMessage[]): boolean {
  const outputConfig = body.output_config;
  if (isRecord(outputConfig) && outputConfig.format !== undefined && outputConfig.format !== null)
    return true;
  const only = messages.length === 1 ? messages[0] : undefined;
  return body.max_tokens === 1 && only !== undefined && userText(only) === "quota";
}

/** Reads the parts of a Messages API request body that scripts key on. */
export function parseRecordedRequest(body: unknown, origin: RequestOrigin): RecordedRequest {
  const record = isRecord(body) ? body : {};
  const messages: WireMessage[] = Array.isArray(record.messages) ? record.messages.filter(isRecord) : [];
  const userMessages = messages.filter((message) => message.role === "user");
  const lastUser = userMessages.at(-1);
  const tools = Array.isArray(record.tools) ? record.tools.filter(isRecord) : [];
  return {
    body,
    path: origin.path,
    headers: origin.headers,
    lastUserText: lastUser === undefined ? "" : userText(lastUser),
    allUserText: userMessages.map(userText).filter((text) => text.length > 0),
    toolNames: tools.map((tool) => tool.name).filter((name): name is string => typeof name === "string"),
    toolResults: toolResultsOf(lastUser),
    systemText: systemTextOf(record.system),
    isSideRequest: isSideRequestBody(record, messages),
  };
}
