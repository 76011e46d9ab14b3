import { z } from "zod";

/** What a token report groups its turns by. */
export const TOKEN_REPORT_GROUPS = ["role", "project", "day", "task"] as const;
export const TokenReportGroupSchema = z.enum(TOKEN_REPORT_GROUPS);
export type TokenReportGroup = z.infer<typeof TokenReportGroupSchema>;

/**
 * What made a turn: an agent's turn on a task (or a person's, typed in), the memory's
 * distiller, or the compaction of an agent's conversation.
 */
export const TOKEN_TURN_KINDS = ["turn", "distill", "compact"] as const;
export type TokenTurnKind = (typeof TOKEN_TURN_KINDS)[number];

/** A `since` of the form `30m`, `24h` or `7d`. */
const RELATIVE_SINCE = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The instant a `since` names: an ISO time, or a span back from `now` (`30m`, `24h`, `7d`).
 * Throws a message saying what is expected for anything else.
 */
export function sinceInstant(since: string, now: Date): Date {
  const relative = RELATIVE_SINCE.exec(since.trim());
  if (relative) {
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  }
  const at = new Date(since);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(since.trim())) {
    throw new Error(
      `since must be a time (2026-12-01 or 2026-12-01T09:00:00Z) or a span (30m, 24h, 7d), not "${since}"`,
    );
  }
  return at;
}

/** `GET /api/v1/tokens`: what to report. */
export const TokenReportQuerySchema = z.object({
  by: TokenReportGroupSchema.default("role"),
  /** Only turns since then: an ISO time, or a span back from now (`24h`, `7d`). */
  since: z.string().min(1).optional(),
  /** Only the turns of this task and its parts. */
  task_id: z.string().min(1).optional(),
});
export type TokenReportQuery = z.input<typeof TokenReportQuerySchema>;

const count = z.number().int().nonnegative();

/** The turns of one group (or of all, in `total`), with Claude Code's own counts. */
export const TokenReportRowSchema = z.object({
  /** The role, project folder, day (YYYY-MM-DD, UTC) or top-level task id; null: none (a task without a project). */
  key: z.string().nullable(),
  turns: count,
  input_tokens: count,
  output_tokens: count,
  /** Cache writes, all of them; of which 5-minute and 1-hour writes where Claude Code told them apart. */
  cache_creation_input_tokens: count,
  cache_creation_5m_tokens: count,
  cache_creation_1h_tokens: count,
  cache_read_input_tokens: count,
  cost_usd: z.number().nonnegative(),
  /** Cache reads over all input (uncached, written, read): how well prompts reuse the cache. */
  cache_read_share: z.number().min(0).max(1),
});
export type TokenReportRow = z.infer<typeof TokenReportRowSchema>;

export const TokenReportSchema = z.object({
  by: TokenReportGroupSchema,
  /** The instant the report starts, as ISO; null: since the first turn. */
  since: z.string().nullable(),
  task_id: z.string().nullable(),
  /** Most tokens first. */
  rows: z.array(TokenReportRowSchema),
  total: TokenReportRowSchema,
});
export type TokenReport = z.infer<typeof TokenReportSchema>;
