import { z } from "zod";

/**
 * Tokens estimated from characters, where Claude Code reports no usage (what one tool result
 * or one pasted text cost): about 4 characters a token for English and code. Always labelled.
 */
export const TOKEN_ESTIMATE = "chars/4" as const;

/** The estimated tokens of `chars` characters (see TOKEN_ESTIMATE). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** One thing that several agents of one task were sent. */
export const RedundancyItemSchema = z.object({
  /** `file`: the same file read by several agents; `context`: the same text pasted into several parts. */
  kind: z.enum(["file", "context"]),
  /** The file (relative to each agent's folder), or the start of the repeated text. */
  what: z.string(),
  /** Who was sent it, once per time. */
  recipients: z.array(z.object({ task_id: z.string(), role: z.string(), agent_id: z.string().nullable() })),
  /** Estimated tokens of one copy. */
  tokens_each: z.number().int().nonnegative(),
  /** Estimated tokens of every copy after the first: what sharing it could have saved. */
  tokens_saveable: z.number().int().nonnegative(),
  recommendation: z.string(),
});
export type RedundancyItem = z.infer<typeof RedundancyItemSchema>;

/** `GET /api/v1/tasks/:id/redundancy`: what a task tree's agents were sent more than once, most tokens first. */
export const RedundancyReportSchema = z.object({
  task_id: z.string(),
  items: z.array(RedundancyItemSchema),
  tokens_saveable: z.number().int().nonnegative(),
  /** How its tokens are counted: estimated from characters, not reported by Claude Code. */
  estimate: z.literal(TOKEN_ESTIMATE),
});
export type RedundancyReport = z.infer<typeof RedundancyReportSchema>;
