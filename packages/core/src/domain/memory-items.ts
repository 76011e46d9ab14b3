import { z } from "zod";

/** A strategy comes from a success; a guardrail from a failure or negative feedback. */
export const MEMORY_KINDS = ["strategy", "guardrail"] as const;
export const MemoryKindSchema = z.enum(MEMORY_KINDS);
export type MemoryKind = z.infer<typeof MemoryKindSchema>;

/**
 * Who judges how a task went, lightest first: its status as it ended, an LLM judge turn
 * (`memory.judge = "llm"`), a person's feedback. A verdict never replaces a weightier one.
 */
export const OUTCOME_JUDGES = ["status", "llm", "feedback"] as const;
export type OutcomeJudge = (typeof OUTCOME_JUDGES)[number];

/** The longest title, description and content an item may have, in characters. */
export const MEMORY_LIMITS = { title: 200, description: 1_000, content: 8_000 } as const;

/**
 * One item of the ReasoningBank: a lesson distilled from tasks (or stored by a person),
 * retrieved by similarity and injected as a hint into later tasks that fit.
 */
export const MemoryItemSchema = z.object({
  id: z.string(),
  kind: MemoryKindSchema,
  /** The project folder it belongs to; null: every project (global). */
  project: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  content: z.string(),
  /** Provenance: the tasks it was distilled from (empty for one a person stored). */
  source_task_ids: z.array(z.string()),
  /** 0..1; follows the success rate of the tasks it was injected into. */
  confidence: z.number().min(0).max(1),
  uses: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  /** The embedding provider its vector came from, and the vector's dimension. */
  embedding_model: z.string(),
  embedding_dim: z.number().int().positive(),
});
export type MemoryItem = z.infer<typeof MemoryItemSchema>;

/** What a person or a distiller gives to store an item (`POST /api/v1/memory`). */
export const NewMemoryItemSchema = z.object({
  title: z.string().trim().min(1, "title must not be empty").max(MEMORY_LIMITS.title),
  content: z.string().trim().min(1, "content must not be empty").max(MEMORY_LIMITS.content),
  description: z.string().trim().max(MEMORY_LIMITS.description).default(""),
  kind: MemoryKindSchema.default("strategy"),
  project_dir: z.string().min(1).nullable().default(null),
  source_task_ids: z.array(z.string()).default([]),
  confidence: z.number().min(0).max(1).default(0.5),
});
export type NewMemoryItem = z.input<typeof NewMemoryItemSchema>;

/** A search hit: the item, its final score, and the signals it was ranked by. */
export const MemoryHitSchema = z.object({
  item: MemoryItemSchema,
  /** The ranking score (fused ranks, weighted by confidence and recency); higher is better. */
  score: z.number(),
  /** Cosine similarity of the item to the query, -1..1; below the threshold nothing is returned. */
  similarity: z.number(),
  /** Which embedding provider answered, so nobody mistakes hashed n-grams for a transformer. */
  embedding_model: z.string(),
});
export type MemoryHit = z.infer<typeof MemoryHitSchema>;

/** `GET /api/v1/memory?query=`: the hits, best first, and which provider embedded the query. */
export const MemorySearchResponseSchema = z.object({
  embedding_model: z.string(),
  hits: z.array(MemoryHitSchema),
});
export type MemorySearchResponse = z.infer<typeof MemorySearchResponseSchema>;

/** `POST /api/v1/tasks/:id/feedback`: how an ended task went, in a person's (or tool's) judgement. */
export const TaskFeedbackRequestSchema = z.strictObject({
  success: z.boolean({ error: "success is required: true if the task did what was asked, false if not" }),
  /** What went wrong (or what worked): stored as a guardrail (or a strategy) for later tasks. */
  note: z
    .string()
    .trim()
    .min(1, "note must not be empty; leave it out instead")
    .max(MEMORY_LIMITS.content)
    .optional(),
});
export type TaskFeedbackRequest = z.infer<typeof TaskFeedbackRequestSchema>;

export const TaskFeedbackResultSchema = z.object({
  task_id: z.string(),
  success: z.boolean(),
  /** The memory items injected into the task (or its parts) whose counters moved. */
  items_updated: z.array(z.string()),
  /** The item the note became, if a note was given. */
  stored: MemoryItemSchema.nullable(),
});
export type TaskFeedbackResult = z.infer<typeof TaskFeedbackResultSchema>;

/** How tasks of one group ended: completed against failed (others ended neither way). */
export const OutcomeCountsSchema = z.object({
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** completed / (completed + failed); null before any. */
  success_rate: z.number().nullable(),
});

/** `GET /api/v1/memory/stats`: the bank's size, each item's record, and whether hints help. */
export const MemoryStatsSchema = z.object({
  embedding_model: z.string(),
  items: z.number().int().nonnegative(),
  by_kind: z.record(z.string(), z.number().int()),
  /** Top-level tasks that were given hints, against those that were not. */
  tasks_with_hints: OutcomeCountsSchema,
  tasks_without_hints: OutcomeCountsSchema,
  /** The most used items first. */
  top_items: z.array(MemoryItemSchema),
});
export type MemoryStats = z.infer<typeof MemoryStatsSchema>;
