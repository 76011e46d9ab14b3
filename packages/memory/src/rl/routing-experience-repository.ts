import {
  type Clock,
  newId,
  type RoutingExperience,
  RoutingExperienceSchema,
  type RoutingPolicy,
  type RoutingSource,
  type RoutingSourceStats,
  systemClock,
} from "@cca/core";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";

/** A decision as the router records it, before its outcome. */
export type RoutingDecisionRecord = Omit<
  RoutingExperience,
  "id" | "at" | "settled_at" | "status" | "success" | "tokens" | "seconds" | "reward"
>;

/** How the work a decision routed turned out. */
export interface RoutingOutcomeRecord {
  status: string;
  success: boolean;
  tokens: number;
  seconds: number;
  reward: number;
}

/** Where incremental training stopped: the last settled experience folded in. */
export interface SettledCursor {
  settledAt: string;
  id: string;
}

/** A policy's saved model. */
export interface RoutingCheckpoint {
  policy: RoutingPolicy;
  algorithm: string;
  checkpoint: unknown;
  experiences: number;
  cursor: SettledCursor | null;
  savedAt: string;
}

const iso = z.union([z.date(), z.string()]).transform((value) => new Date(value).toISOString());
const RowSchema = z.object({
  id: z.string(),
  at: iso,
  policy: z.string(),
  task_id: z.string(),
  project: z.string().nullable(),
  state: z.unknown(),
  features: z.unknown(),
  role: z.string(),
  tier: z.string(),
  heuristic_role: z.string(),
  heuristic_tier: z.string(),
  source: z.string(),
  explanation: z.string(),
  settled_at: iso.nullable(),
  status: z.string().nullable(),
  success: z.boolean().nullable(),
  tokens: z.coerce.number().nullable(),
  seconds: z.number().nullable(),
  reward: z.number().nullable(),
});
const parseRow = (row: unknown): RoutingExperience => RoutingExperienceSchema.parse(RowSchema.parse(row));

const StatsRowSchema = z.object({
  source: z.string(),
  decisions: z.coerce.number(),
  settled: z.coerce.number(),
  success_rate: z.coerce.number().nullable(),
  mean_tokens: z.coerce.number().nullable(),
  mean_reward: z.coerce.number().nullable(),
});

const CheckpointRowSchema = z.object({
  policy: z.enum(["task", "part"]),
  algorithm: z.string(),
  checkpoint: z.unknown(),
  experiences: z.coerce.number(),
  last_settled_at: iso.nullable(),
  last_id: z.string().nullable(),
  saved_at: iso,
});

/** The learned router's data (`rl_experiences`) and models (`rl_checkpoints`), shared by every daemon on the database. */
export class RoutingExperienceRepository {
  readonly #database: Database;
  readonly #clock: Clock;

  constructor(database: Database, clock: Clock = systemClock) {
    this.#database = database;
    this.#clock = clock;
  }

  /** Stores a decision; returns its id. */
  async record(decision: RoutingDecisionRecord): Promise<string> {
    const id = newId("route");
    await this.#database.run(() =>
      this.#database.db
        .insertInto("rl_experiences")
        .values({
          id,
          at: new Date(this.#clock.now()),
          policy: decision.policy,
          task_id: decision.task_id,
          project: decision.project,
          state: JSON.stringify(decision.state),
          features: JSON.stringify(decision.features),
          role: decision.role,
          tier: decision.tier,
          heuristic_role: decision.heuristic_role,
          heuristic_tier: decision.heuristic_tier,
          source: decision.source,
          explanation: decision.explanation,
        })
        .execute(),
    );
    return id;
  }

  /** Settles the decisions of task `taskId` not settled yet; returns them settled. */
  async settle(taskId: string, outcome: RoutingOutcomeRecord): Promise<RoutingExperience[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .updateTable("rl_experiences")
        .set({
          settled_at: new Date(this.#clock.now()),
          status: outcome.status,
          success: outcome.success,
          tokens: outcome.tokens,
          seconds: outcome.seconds,
          reward: outcome.reward,
        })
        .where("task_id", "=", taskId)
        .where("settled_at", "is", null)
        .returningAll()
        .execute(),
    );
    return rows.map(parseRow);
  }

  /** Settled experiences of `policy` after `cursor` (all without one), in the order they settled. */
  async settledAfter(
    policy: RoutingPolicy,
    cursor: SettledCursor | null,
    limit = 1000,
  ): Promise<RoutingExperience[]> {
    const result = await this.#database.run(() =>
      sql<unknown>`
        select * from rl_experiences
        where policy = ${policy} and settled_at is not null
          ${cursor ? sql`and (settled_at, id) > (${new Date(cursor.settledAt)}, ${cursor.id})` : sql``}
        order by settled_at, id
        limit ${limit}
      `.execute(this.#database.db),
    );
    return result.rows.map(parseRow);
  }

  /** Each role's success rate over its last `window` settled decisions of `policy`. */
  async recentSuccess(policy: RoutingPolicy, window = 50): Promise<Record<string, number>> {
    const result = await this.#database.run(() =>
      sql<unknown>`
        select role, avg(case when success then 1.0 else 0.0 end) as rate from (
          select role, success, row_number() over (partition by role order by settled_at desc, id desc) as n
          from rl_experiences where policy = ${policy} and settled_at is not null
        ) recent where n <= ${window} group by role
      `.execute(this.#database.db),
    );
    return Object.fromEntries(
      result.rows.map((row) => {
        const parsed = z.object({ role: z.string(), rate: z.coerce.number() }).parse(row);
        return [parsed.role, parsed.rate];
      }),
    );
  }

  /** Decisions and outcomes of `policy`, by who decided. */
  async stats(policy: RoutingPolicy): Promise<RoutingSourceStats[]> {
    const result = await this.#database.run(() =>
      sql<unknown>`
        select source, count(*) as decisions, count(settled_at) as settled,
          avg(case when success then 1.0 when success is not null then 0.0 end) as success_rate,
          avg(tokens) as mean_tokens, avg(reward) as mean_reward
        from rl_experiences where policy = ${policy} group by source order by source
      `.execute(this.#database.db),
    );
    return result.rows.map((row) => {
      const parsed = StatsRowSchema.parse(row);
      return { ...parsed, source: parsed.source as RoutingSource };
    });
  }

  /** Every experience, oldest first, a page at a time (for export). */
  async list(options: { after?: string; limit: number }): Promise<RoutingExperience[]> {
    const result = await this.#database.run(() =>
      sql<unknown>`
        select * from rl_experiences
        ${options.after ? sql`where (at, id) > (select at, id from rl_experiences where id = ${options.after})` : sql``}
        order by at, id limit ${options.limit}
      `.execute(this.#database.db),
    );
    return result.rows.map(parseRow);
  }

  async saveCheckpoint(checkpoint: Omit<RoutingCheckpoint, "savedAt">): Promise<void> {
    const values = {
      algorithm: checkpoint.algorithm,
      checkpoint: JSON.stringify(checkpoint.checkpoint),
      experiences: checkpoint.experiences,
      last_settled_at: checkpoint.cursor ? new Date(checkpoint.cursor.settledAt) : null,
      last_id: checkpoint.cursor?.id ?? null,
      saved_at: new Date(this.#clock.now()),
    };
    await this.#database.run(() =>
      this.#database.db
        .insertInto("rl_checkpoints")
        .values({ policy: checkpoint.policy, ...values })
        .onConflict((conflict) => conflict.column("policy").doUpdateSet(values))
        .execute(),
    );
  }

  async loadCheckpoint(policy: RoutingPolicy): Promise<RoutingCheckpoint | null> {
    const row = await this.#database.run(() =>
      this.#database.db
        .selectFrom("rl_checkpoints")
        .selectAll()
        .where("policy", "=", policy)
        .executeTakeFirst(),
    );
    if (!row) return null;
    const parsed = CheckpointRowSchema.parse(row);
    return {
      policy: parsed.policy,
      algorithm: parsed.algorithm,
      checkpoint: parsed.checkpoint,
      experiences: parsed.experiences,
      cursor:
        parsed.last_settled_at && parsed.last_id
          ? { settledAt: parsed.last_settled_at, id: parsed.last_id }
          : null,
      savedAt: parsed.saved_at,
    };
  }
}
