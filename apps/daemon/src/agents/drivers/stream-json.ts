import type { TokenUsage } from "@cca/core";
import { z } from "zod";
import type { TurnOutcome } from "../agent-driver.js";

/*
 * Claude Code's `--output-format stream-json` lines, as zod schemas. Only the line kinds
 * and fields the daemon uses are declared; Claude Code adds keys from version to version,
 * so unknown keys are dropped (zod's default), unknown line types and content blocks are
 * ignored, and a known line that does not fit its schema is reported as `malformed`.
 */

/** Token counts may be absent (or null on synthetic messages); both count as 0. */
const tokenCount = z
  .number()
  .int()
  .nonnegative()
  .nullish()
  .transform((count) => count ?? 0);

const UsageSchema = z.object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_creation_input_tokens: tokenCount,
  cache_read_input_tokens: tokenCount,
  /** The cache writes by lifetime, on result lines of versions that tell them apart. */
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: tokenCount, ephemeral_1h_input_tokens: tokenCount })
    .nullish(),
});

const TextBlockSchema = z.object({ type: z.literal("text"), text: z.string() });
const ToolUseBlockSchema = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
const ToolResultBlockSchema = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z
    .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))])
    .optional(),
  is_error: z.boolean().optional(),
});

/** Where a block of a type the daemon does not read (thinking, image, …) was: it is dropped. */
const SkippedBlockSchema = z.object({ type: z.literal("skipped") });
const KNOWN_BLOCKS: ReadonlySet<unknown> = new Set(["text", "tool_use", "tool_result"]);

const isKnownBlock = (block: unknown): boolean =>
  typeof block === "object" && block !== null && KNOWN_BLOCKS.has((block as { type?: unknown }).type);

/**
 * A message's content: a plain string (no blocks), or blocks of which the unknown ones are
 * skipped (replaced first, so that an error names the block's real index).
 */
const ContentSchema = z.preprocess(
  (content) =>
    typeof content === "string"
      ? []
      : Array.isArray(content)
        ? content.map((block) => (isKnownBlock(block) ? block : { type: "skipped" }))
        : content,
  z
    .array(
      z.discriminatedUnion("type", [
        TextBlockSchema,
        ToolUseBlockSchema,
        ToolResultBlockSchema,
        SkippedBlockSchema,
      ]),
    )
    .transform((blocks) => blocks.filter((block) => block.type !== "skipped")),
);

const MessageLineSchema = z.object({
  /** On assistant lines: the request's usage (its input is the whole context sent; output is partial). */
  message: z.object({ content: ContentSchema, usage: UsageSchema.optional() }),
});

const CompactBoundarySchema = z.object({
  compact_metadata: z
    .object({ trigger: z.string().optional(), pre_tokens: tokenCount, post_tokens: tokenCount })
    .optional(),
});

/** A model's counts over the whole process, in `modelUsage`. */
const ModelUsageSchema = z.object({
  costUSD: z.number().nonnegative(),
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cacheReadInputTokens: tokenCount,
  cacheCreationInputTokens: tokenCount,
});

const SystemInitSchema = z.object({
  session_id: z.string(),
  model: z.string().optional(),
  tools: z.array(z.string()).default([]),
  mcp_servers: z.array(z.object({ name: z.string(), status: z.string() })).default([]),
});

const ApiRetrySchema = z.object({
  attempt: z.number().nullish(),
  error: z.string().nullish(),
  error_status: z.number().nullish(),
  retry_delay_ms: z.number().nonnegative().nullish(),
});

const ResultSchema = z.object({
  subtype: z.string(),
  is_error: z.boolean(),
  /** Absent on some error subtypes (e.g. error_during_execution). */
  result: z.string().optional(),
  session_id: z.string().optional(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
  usage: UsageSchema.optional(),
  /** Per model, over the whole process, like `total_cost_usd`. */
  modelUsage: z.record(z.string(), ModelUsageSchema).optional(),
  total_cost_usd: z.number().nonnegative().optional(),
  api_error_status: z.number().nullish(),
  permission_denials: z.array(z.object({ tool_name: z.string() })).default([]),
  /** With `--json-schema`: the answer, as the model gave it to the StructuredOutput tool (unchecked). */
  structured_output: z.unknown().optional(),
});

const ControlResponseSchema = z.object({
  response: z.object({
    subtype: z.string(),
    request_id: z.string(),
    response: z.unknown().optional(),
    error: z.string().optional(),
  }),
});

/** Lines Claude Code writes in `--output-format stream-json`, reduced to what the daemon uses. */
export type ClaudeOutputLine =
  | {
      type: "system_init";
      sessionId: string;
      model: string | null;
      tools: string[];
      mcpServers: { name: string; status: string }[];
    }
  | {
      type: "api_retry";
      attempt: number | null;
      error: string | null;
      errorStatus: number | null;
      retryDelayMs: number | null;
    }
  | { type: "assistant_text"; text: string }
  /** A request's whole input (uncached, cache writes and reads): the context it sent. */
  | { type: "request_context"; tokens: number }
  /** Claude Code compacted the conversation (`/compact`, or on its own): its context before and after. */
  | { type: "compacted"; preTokens: number; postTokens: number }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; toolUseId: string; isError: boolean; content: string }
  | { type: "result"; result: TurnOutcome }
  | { type: "control_response"; requestId: string; success: boolean; error: string | null; payload: unknown }
  /** A known kind of line that does not fit its schema: `kind` says which, `problem` what is wrong. */
  | { type: "malformed"; kind: LineKind; problem: string }
  /** A line of a kind the daemon does not use. */
  | { type: "other"; raw: Record<string, unknown> };

function usageOf(usage: z.infer<typeof UsageSchema> | undefined): TokenUsage {
  return {
    input_tokens: usage?.input_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
    cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage?.cache_read_input_tokens ?? 0,
    cost_usd: 0,
  };
}

function toolResultText(content: z.infer<typeof ToolResultBlockSchema>["content"]): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content
    .map((block) => block.text ?? "")
    .filter(Boolean)
    .join("\n");
}

function assistantLines(line: z.infer<typeof MessageLineSchema>): ClaudeOutputLine[] {
  const usage = line.message.usage;
  const context: ClaudeOutputLine[] = usage
    ? [
        {
          type: "request_context",
          tokens: usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
        },
      ]
    : [];
  return [...context, ...blockLines(line)];
}

function blockLines(line: z.infer<typeof MessageLineSchema>): ClaudeOutputLine[] {
  return line.message.content.map((block): ClaudeOutputLine => {
    if (block.type === "text") return { type: "assistant_text", text: block.text };
    if (block.type === "tool_use")
      return { type: "tool_use", id: block.id, name: block.name, input: block.input };
    return {
      type: "tool_result",
      toolUseId: block.tool_use_id,
      isError: block.is_error === true,
      content: toolResultText(block.content),
    };
  });
}

function resultOutcome(line: z.infer<typeof ResultSchema>): TurnOutcome {
  const modelCosts = Object.values(line.modelUsage ?? {}).map((model) => model.costUSD);
  return {
    subtype: line.subtype,
    isError: line.is_error,
    text: line.result ?? "",
    sessionId: line.session_id ?? null,
    numTurns: line.num_turns ?? null,
    durationMs: line.duration_ms ?? null,
    usage: usageOf(line.usage),
    // Both accumulate over the process; the per-model costs stand in when the total is missing.
    totalCostUsd: line.total_cost_usd ?? modelCosts.reduce((sum, cost) => sum + cost, 0),
    apiErrorStatus: line.api_error_status ?? null,
    permissionDenials: line.permission_denials.map((denial) => denial.tool_name),
    // The process's models, costliest first: the first is the one its turns ran on.
    model:
      Object.entries(line.modelUsage ?? {}).sort(([, a], [, b]) => b.costUSD - a.costUSD)[0]?.[0] ?? null,
    ...(line.usage?.cache_creation
      ? {
          cacheWrites: {
            fiveMinute: line.usage.cache_creation.ephemeral_5m_input_tokens,
            oneHour: line.usage.cache_creation.ephemeral_1h_input_tokens,
          },
        }
      : {}),
    ...(line.structured_output === undefined ? {} : { structuredOutput: line.structured_output }),
    ...(line.modelUsage ? { processTokens: processTokensOf(line.modelUsage) } : {}),
  };
}

/** The tokens of every model over the process so far (`modelUsage` accumulates like the cost). */
function processTokensOf(models: Record<string, z.infer<typeof ModelUsageSchema>>): TokenUsage {
  const total = { ...usageOf(undefined) };
  for (const model of Object.values(models)) {
    total.input_tokens += model.inputTokens;
    total.output_tokens += model.outputTokens;
    total.cache_creation_input_tokens += model.cacheCreationInputTokens;
    total.cache_read_input_tokens += model.cacheReadInputTokens;
  }
  return total;
}

/** Each known kind of line ("system/<subtype>" for system lines), with what it becomes. */
const LINE_KINDS = {
  "system/init": SystemInitSchema.transform((line): ClaudeOutputLine[] => [
    {
      type: "system_init",
      sessionId: line.session_id,
      model: line.model ?? null,
      tools: line.tools,
      mcpServers: line.mcp_servers,
    },
  ]),
  "system/api_retry": ApiRetrySchema.transform((line): ClaudeOutputLine[] => [
    {
      type: "api_retry",
      attempt: line.attempt ?? null,
      error: line.error ?? null,
      errorStatus: line.error_status ?? null,
      retryDelayMs: line.retry_delay_ms ?? null,
    },
  ]),
  "system/compact_boundary": CompactBoundarySchema.transform((line): ClaudeOutputLine[] => [
    {
      type: "compacted",
      preTokens: line.compact_metadata?.pre_tokens ?? 0,
      postTokens: line.compact_metadata?.post_tokens ?? 0,
    },
  ]),
  assistant: MessageLineSchema.transform(assistantLines),
  user: MessageLineSchema.transform(blockLines),
  result: ResultSchema.transform((line): ClaudeOutputLine[] => [
    { type: "result", result: resultOutcome(line) },
  ]),
  control_response: ControlResponseSchema.transform(({ response }): ClaudeOutputLine[] => [
    {
      type: "control_response",
      requestId: response.request_id,
      success: response.subtype === "success",
      error: response.error ?? null,
      payload: response.response ?? null,
    },
  ]),
} satisfies Record<string, z.ZodType<ClaudeOutputLine[]>>;

/** A kind of stream-json line the daemon reads. */
export type LineKind = keyof typeof LINE_KINDS;

const EnvelopeSchema = z.looseObject({ type: z.string(), subtype: z.unknown().optional() });

function kindOf(envelope: z.infer<typeof EnvelopeSchema>): LineKind | null {
  const kind = envelope.type === "system" ? `system/${String(envelope.subtype)}` : envelope.type;
  return Object.hasOwn(LINE_KINDS, kind) ? (kind as LineKind) : null;
}

/**
 * Parses one stdout line of Claude Code's stream-json output. Returns [] for a blank line,
 * one entry per content block for assistant and user lines, `other` for a kind the daemon
 * does not use, and `malformed` for a known kind that does not fit its schema. Throws for
 * text that is not a JSON object with a `type` (the caller decides how loud to be).
 * @example parseStreamLine('{"type":"result","subtype":"success","is_error":false}')
 */
export function parseStreamLine(text: string): ClaudeOutputLine[] {
  if (text.trim() === "") return [];
  const envelope = EnvelopeSchema.safeParse(JSON.parse(text));
  if (!envelope.success) throw new Error("stream-json line is not an object with a type");
  const kind = kindOf(envelope.data);
  if (kind === null) return [{ type: "other", raw: envelope.data }];
  const parsed = LINE_KINDS[kind].safeParse(envelope.data);
  if (parsed.success) return parsed.data;
  return [{ type: "malformed", kind, problem: z.prettifyError(parsed.error) }];
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
export function controlRequestLine(requestId: string, request: Record<string, unknown>): string {
  return `${JSON.stringify({ type: "control_request", request_id: requestId, request })}\n`;
}
