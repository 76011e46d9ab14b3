import {
  type Approval,
  type ApprovalRule,
  ApprovalRuleSchema,
  ApprovalSchema,
  type ApprovalStatus,
  CcaError,
} from "@cca/core";
import { z } from "zod";
import type { Database } from "../database/open-database.js";

const timestamp = z.coerce.date().transform((date) => date.toISOString());
const ApprovalRowSchema = ApprovalSchema.extend({
  created_at: timestamp,
  expires_at: timestamp,
  answered_at: timestamp.nullable(),
  daemon: z.string().nullable(),
});
const RuleRowSchema = ApprovalRuleSchema.extend({ created_at: timestamp });

/** How a pending approval ends: the answer, or why nobody gave one. */
export interface ApprovalSettlement {
  status: Exclude<ApprovalStatus, "pending">;
  message: string | null;
  remember?: Approval["remember"];
  answeredAt: string;
}

/**
 * The approval inbox's records: pending and answered approvals, and remembered rules, in
 * PGlite or PostgreSQL. Several daemons may share them: an approval is settled once, by
 * whichever daemon's update finds it still pending.
 */
export class ApprovalRepository {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Stores a new approval; `daemon` is the daemon whose agent waits for it. */
  async insert(approval: Approval, daemon: string | null): Promise<void> {
    await this.#database.run(() =>
      this.#database.db
        .insertInto("approvals")
        .values({ ...approval, input: JSON.stringify(approval.input), daemon })
        .execute(),
    );
  }

  async find(id: string): Promise<Approval | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db.selectFrom("approvals").selectAll().where("id", "=", id).executeTakeFirst(),
    );
    return row ? parseApproval(row) : undefined;
  }

  /**
   * The approvals still waiting at `now` (pending and not expired), oldest first; with
   * `rootTaskId`, only those of that top-level task's tree.
   */
  async listPending(options: { now: Date; rootTaskId?: string; limit?: number }): Promise<Approval[]> {
    const rows = await this.#database.run(() => {
      let query = this.#database.db
        .selectFrom("approvals")
        .selectAll()
        .where("status", "=", "pending")
        .where("expires_at", ">", options.now);
      if (options.rootTaskId) query = query.where("root_task_id", "=", options.rootTaskId);
      return query
        .orderBy("created_at", "asc")
        .limit(options.limit ?? 500)
        .execute();
    });
    return rows.map(parseApproval);
  }

  /**
   * Ends a pending approval. Resolves with the settled approval, or undefined when it was no
   * longer pending (another answer, or its expiry, came first) or does not exist.
   */
  async settle(id: string, settlement: ApprovalSettlement): Promise<Approval | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db
        .updateTable("approvals")
        .set({
          status: settlement.status,
          message: settlement.message,
          remember: settlement.remember ?? null,
          answered_at: settlement.answeredAt,
        })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .returningAll()
        .executeTakeFirst(),
    );
    return row ? parseApproval(row) : undefined;
  }

  /**
   * Cancels the pending approvals of daemons that are gone (their agents died with them, so
   * nobody waits for those answers); resolves with how many.
   */
  async cancelOfDaemons(daemons: readonly string[], at: Date): Promise<number> {
    if (daemons.length === 0) return 0;
    const rows = await this.#database.run(() =>
      this.#database.db
        .updateTable("approvals")
        .set({
          status: "cancelled",
          message: "The daemon whose agent asked stopped before anyone answered",
          answered_at: at,
        })
        .where("status", "=", "pending")
        .where("daemon", "in", [...daemons])
        .returning("id")
        .execute(),
    );
    return rows.length;
  }

  async insertRule(rule: ApprovalRule): Promise<void> {
    await this.#database.run(() => this.#database.db.insertInto("approval_rules").values(rule).execute());
  }

  /** Remembered rules, newest first; with `role` and `toolName`, only the rules that could match such a use. */
  async listRules(filter: { role?: string; toolName?: string } = {}): Promise<ApprovalRule[]> {
    const rows = await this.#database.run(() => {
      let query = this.#database.db.selectFrom("approval_rules").selectAll();
      if (filter.role) query = query.where("role", "=", filter.role);
      if (filter.toolName) query = query.where("tool_name", "=", filter.toolName);
      return query.orderBy("created_at", "desc").orderBy("id").limit(1000).execute();
    });
    return rows.map(parseRule);
  }

  /** Removes a rule; resolves with it, or undefined when there was none. */
  async deleteRule(id: string): Promise<ApprovalRule | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db.deleteFrom("approval_rules").where("id", "=", id).returningAll().executeTakeFirst(),
    );
    return row ? parseRule(row) : undefined;
  }
}

function parseApproval(row: unknown): Approval {
  const parsed = ApprovalRowSchema.safeParse(row);
  if (!parsed.success) {
    throw new CcaError(
      "internal",
      `An approvals row in the database does not parse: ${parsed.error.message}`,
    );
  }
  const { daemon: _daemon, ...approval } = parsed.data;
  return approval;
}

function parseRule(row: unknown): ApprovalRule {
  const parsed = RuleRowSchema.safeParse(row);
  if (!parsed.success) {
    throw new CcaError(
      "internal",
      `An approval_rules row in the database does not parse: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}
