import { z } from "zod";

/** What a routing decision is about: a top-level task (the Coordinator or one role) or a delegated part. */
export const ROUTING_POLICIES = ["task", "part"] as const;
export const RoutingPolicySchema = z.enum(ROUTING_POLICIES);
export type RoutingPolicy = z.infer<typeof RoutingPolicySchema>;

/** Who chose: the heuristic, the learned policy past its gates, exploration, or a person (an explicit role). */
export const ROUTING_SOURCES = ["heuristic", "learned", "explore", "override"] as const;
export const RoutingSourceSchema = z.enum(ROUTING_SOURCES);
export type RoutingSource = z.infer<typeof RoutingSourceSchema>;

/** How much room the work gets; only `standard` changes nothing (see docs/learning.md). */
export const BUDGET_TIER_NAMES = ["small", "standard", "large"] as const;
export const BudgetTierSchema = z.enum(BUDGET_TIER_NAMES);
export type BudgetTierName = z.infer<typeof BudgetTierSchema>;

/** What the router saw when it decided (the learned model reads its features from it). */
export const RoutingStateSchema = z.object({
  cluster: z.number().int().nonnegative(),
  clusters: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  keywords: z.array(z.boolean()),
  load: z.record(z.string(), z.number()),
  successRate: z.record(z.string(), z.number()),
  spend: z.number(),
  /** The task's embedding (rounded), from which the learner's clusters are formed. */
  embedding: z.array(z.number()).optional(),
});

/** One routing decision, and its outcome once the work ended (`GET /api/v1/rl/experiences`). */
export const RoutingExperienceSchema = z.object({
  id: z.string(),
  at: z.string(),
  policy: RoutingPolicySchema,
  task_id: z.string(),
  project: z.string().nullable(),
  state: RoutingStateSchema,
  features: z.array(z.number()),
  role: z.string(),
  tier: BudgetTierSchema,
  heuristic_role: z.string(),
  heuristic_tier: BudgetTierSchema,
  source: RoutingSourceSchema,
  explanation: z.string(),
  settled_at: z.string().nullable(),
  status: z.string().nullable(),
  success: z.boolean().nullable(),
  tokens: z.number().nullable(),
  seconds: z.number().nullable(),
  reward: z.number().nullable(),
});
export type RoutingExperience = z.infer<typeof RoutingExperienceSchema>;

/** The outcomes of one policy's decisions made by one source. */
export const RoutingSourceStatsSchema = z.object({
  source: RoutingSourceSchema,
  decisions: z.number().int().nonnegative(),
  settled: z.number().int().nonnegative(),
  /** Null while nothing settled. */
  success_rate: z.number().nullable(),
  mean_tokens: z.number().nullable(),
  mean_reward: z.number().nullable(),
});
export type RoutingSourceStats = z.infer<typeof RoutingSourceStatsSchema>;

/** `GET /api/v1/rl/status`: what the router does and how its decisions turned out. */
export const RlStatusSchema = z.object({
  mode: z.enum(["off", "shadow", "on"]),
  algorithm: z.string(),
  gates: z.object({ min_support: z.number(), min_confidence: z.number(), explore: z.number() }),
  policies: z.array(
    z.object({
      policy: RoutingPolicySchema,
      arms: z.array(z.object({ role: z.string(), tier: BudgetTierSchema })),
      /** Settled experiences folded into the model. */
      trained_on: z.number().int().nonnegative(),
      checkpoint_at: z.string().nullable(),
      by_source: z.array(RoutingSourceStatsSchema),
    }),
  ),
});
export type RlStatus = z.infer<typeof RlStatusSchema>;

/** `GET /api/v1/rl/policy`: how the router would route a description now, and why. */
export const RoutePreviewSchema = z.object({
  policy: RoutingPolicySchema,
  role: z.string(),
  tier: BudgetTierSchema,
  source: RoutingSourceSchema,
  explanation: z.string(),
  heuristic: z.object({ role: z.string(), tier: BudgetTierSchema }),
  estimates: z.array(
    z.object({
      role: z.string(),
      tier: BudgetTierSchema,
      q: z.number(),
      std: z.number(),
      support: z.number(),
    }),
  ),
});
export type RoutePreview = z.infer<typeof RoutePreviewSchema>;

/** `POST /api/v1/rl/train`: what rebuilding the models from every settled experience did. */
export const RlTrainResultSchema = z.object({
  policies: z.array(z.object({ policy: RoutingPolicySchema, trained_on: z.number().int().nonnegative() })),
});
export type RlTrainResult = z.infer<typeof RlTrainResultSchema>;
