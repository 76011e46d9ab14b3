import { z } from "zod";
import { TokenUsageSchema } from "./schemas.js";

/** When the entry was written (the transcript line's `timestamp`); null when the line had none. */
const at = z.string().nullable();

/**
 * One entry of an agent's log, read from its Claude Code transcript: what it was told
 * (`user`), what it said (`text`), the tools it called and what they answered, the tokens
 * of each model response (`usage`, once per message, `cost_usd` 0: the transcript has no
 * cost), and where a turn ended (`turn_end`, written by the interactive TUI only).
 */
export const AgentLogEntrySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("user"), at, text: z.string() }),
  z.object({ kind: z.literal("text"), at, text: z.string() }),
  z.object({
    kind: z.literal("tool_use"),
    at,
    id: z.string(),
    name: z.string(),
    input: z.record(z.string(), z.unknown()),
  }),
  z.object({
    kind: z.literal("tool_result"),
    at,
    tool_use_id: z.string(),
    is_error: z.boolean(),
    /** The result as text, cut short when long (then `truncated`). */
    content: z.string(),
    truncated: z.boolean(),
  }),
  z.object({
    kind: z.literal("usage"),
    at,
    /** The model response the tokens are of; a follower skips a message id it has seen. */
    message_id: z.string(),
    model: z.string().nullable(),
    usage: TokenUsageSchema,
  }),
  z.object({ kind: z.literal("turn_end"), at, duration_ms: z.number().nullable() }),
]);
export type AgentLogEntry = z.infer<typeof AgentLogEntrySchema>;
export type AgentLogEntryKind = AgentLogEntry["kind"];

/** Largest `lines` a `GET /api/v1/agents/:id/logs` may ask for. */
export const MAX_AGENT_LOG_LINES = 10_000;

/**
 * The query of `GET /api/v1/agents/:id/logs`: `lines`, the newest entries to return
 * (1–10000; default 200 without `after`, all of them with it), and `after`, the
 * `next_cursor` of an earlier answer, for only what was written since.
 */
export const AgentLogsQuerySchema = z.object({
  lines: z.coerce
    .number({ error: "lines must be a number" })
    .int("lines must be a whole number")
    .min(1, "lines must be at least 1")
    .max(MAX_AGENT_LOG_LINES, `lines must be at most ${MAX_AGENT_LOG_LINES}`)
    .optional(),
  after: z
    .string()
    .regex(/^\d+$/, "after must be the next_cursor of an earlier answer (a whole number)")
    .optional(),
});
/** The query of `GET /api/v1/agents/:id/logs`, as a client passes it. */
export interface AgentLogsQuery {
  lines?: number;
  after?: string;
}

/** What `GET /api/v1/agents/:id/logs` answers. */
export const AgentLogsResponseSchema = z.object({
  agent_id: z.string(),
  /** The Claude Code session whose transcript this is; null for an agent that has none yet. */
  session_id: z.string().nullable(),
  /** Where the transcript is on the daemon's machine; null without a session. */
  transcript_path: z.string().nullable(),
  /** Oldest first. An agent with no transcript yet has none. */
  entries: z.array(AgentLogEntrySchema),
  /** Entries there were before the first one returned (left out by `lines`). */
  omitted: z.number().int().nonnegative(),
  /** Transcript lines that could not be read (not JSON, or not in a shape Claude Code writes) and were skipped. */
  malformed_lines: z.number().int().nonnegative(),
  /** Pass as `after` to get only what is written from now on. */
  next_cursor: z.string(),
});
export type AgentLogsResponse = z.infer<typeof AgentLogsResponseSchema>;
