import { z } from "zod";

// The lines of Claude Code's transcript (`<session id>.jsonl`) that the log shows, as the
// pinned version (2.1.197) writes them. Objects are loose: later versions add keys, and every
// other line type (`attachment`, `queue-operation`, `mode`, `file-history-snapshot`, …) is
// not parsed at all.

const timestamp = z.string().optional();

export const TextBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

/** A tool's answer: a string, or blocks of which only the text ones are kept (images are named). */
const ToolResultContentSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
]);

export const ToolResultBlockSchema = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: ToolResultContentSchema.optional(),
  is_error: z.boolean().optional(),
});

export const ToolUseBlockSchema = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});

/**
 * A content block, checked in full by the schema of its `type` once that is known to be one the
 * log shows; others (thinking, image, server tools) are read past.
 */
const BlockSchema = z.looseObject({ type: z.string() });

export const UserLineSchema = z.looseObject({
  type: z.literal("user"),
  timestamp,
  /** Set on lines Claude Code writes into the conversation itself (command caveats, reminders). */
  isMeta: z.boolean().optional(),
  message: z.looseObject({
    content: z.union([z.string(), z.array(BlockSchema)]),
  }),
});

const UsageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
});

export const AssistantLineSchema = z.looseObject({
  type: z.literal("assistant"),
  timestamp,
  message: z.looseObject({
    id: z.string(),
    model: z.string().optional(),
    content: z.array(BlockSchema),
    usage: UsageSchema.optional(),
  }),
});

export const TurnDurationLineSchema = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("turn_duration"),
  timestamp,
  durationMs: z.number().optional(),
});

/** Just enough of any line to tell which kind it is. */
export const LineKindSchema = z.looseObject({ type: z.string(), subtype: z.string().optional() });

export type ToolResultContent = z.infer<typeof ToolResultContentSchema>;
