import {
  type Clock,
  newId,
  systemClock,
  type TokenReport,
  type TokenReportGroup,
  type TokenReportRow,
  type TokenTurnKind,
  type TokenUsage,
} from "@cca/core";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";

/** One turn's tokens, as the daemon records it when the turn ends. */
export interface TurnTokens {
  kind: TokenTurnKind;
  taskId: string | null;
  /** The top-level task (the task itself when it is one). */
  rootTaskId: string | null;
  agentId: string | null;
  role: string;
  project: string | null;
  model: string | null;
  usage: TokenUsage;
  /** Of `usage.cache_creation_input_tokens`, the 5-minute and 1-hour writes, where Claude Code told them apart. */
  cacheWrites?: { fiveMinute: number; oneHour: number };
}

/** Tokens (input, output, cache writes and reads) and dollars spent in one scope. */
export interface Spend {
  tokens: number;
  usd: number;
}

/** What turns spent in each scope a budget may limit: one task tree, and a UTC day's (all, one project's, one role's). */
export interface ScopeSpends {
  task: Spend;
  day: Spend;
  project: Spend;
  role: Spend;
}

/** Postgres sums of bigints come back as strings (numeric); each is a whole count. */
const sum = z.coerce.number();
const RowSchema = z.object({
  key: z.string().nullable(),
  turns: sum,
  input_tokens: sum,
  output_tokens: sum,
  cache_creation_input_tokens: sum,
  cache_creation_5m_tokens: sum,
  cache_creation_1h_tokens: sum,
  cache_read_input_tokens: sum,
  cost_usd: sum,
});

const KEY_OF: Record<TokenReportGroup, ReturnType<typeof sql.raw>> = {
  role: sql.raw("role"),
  project: sql.raw("project"),
  day: sql.raw("to_char(day, 'YYYY-MM-DD')"),
  task: sql.raw("root_task_id"),
};

const SpendsRowSchema = z.object({
  task_tokens: sum,
  task_usd: sum,
  day_tokens: sum,
  day_usd: sum,
  project_tokens: sum,
  project_usd: sum,
  role_tokens: sum,
  role_usd: sum,
});

const ALL_TOKENS = sql.raw(
  "input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens",
);

function withShare(row: z.infer<typeof RowSchema>): TokenReportRow {
  const input = row.input_tokens + row.cache_creation_input_tokens + row.cache_read_input_tokens;
  return { ...row, cache_read_share: input === 0 ? 0 : row.cache_read_input_tokens / input };
}

/**
 * Every turn's tokens, one row per turn (`token_usage`), and reports over them by role,
 * project, day or top-level task, in PGlite or PostgreSQL.
 */
export class TokenUsageRepository {
  readonly #database: Database;
  readonly #clock: Clock;

  constructor(database: Database, clock: Clock = systemClock) {
    this.#database = database;
    this.#clock = clock;
  }

  async record(turn: TurnTokens): Promise<void> {
    const at = new Date(this.#clock.now());
    const { usage } = turn;
    await this.#database.run(() =>
      this.#database.db
        .insertInto("token_usage")
        .values({
          id: newId("turn"),
          at,
          day: at.toISOString().slice(0, 10),
          kind: turn.kind,
          task_id: turn.taskId,
          root_task_id: turn.rootTaskId,
          agent_id: turn.agentId,
          role: turn.role,
          project: turn.project,
          model: turn.model,
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_creation_5m_tokens: turn.cacheWrites?.fiveMinute ?? 0,
          cache_creation_1h_tokens: turn.cacheWrites?.oneHour ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          cost_usd: usage.cost_usd,
        })
        .execute(),
    );
  }

  /** The turns since `since` (of one task tree when `taskId` is given), grouped `by`, most tokens first. */
  async report(query: {
    by: TokenReportGroup;
    since: Date | null;
    taskId: string | null;
  }): Promise<TokenReport> {
    const filters = [
      ...(query.since ? [sql`at >= ${query.since.toISOString()}::timestamptz`] : []),
      ...(query.taskId ? [sql`(root_task_id = ${query.taskId} or task_id = ${query.taskId})`] : []),
    ];
    const where = filters.length > 0 ? sql`where ${sql.join(filters, sql` and `)}` : sql``;
    const totals = sql`count(*) as turns,
      coalesce(sum(input_tokens), 0) as input_tokens,
      coalesce(sum(output_tokens), 0) as output_tokens,
      coalesce(sum(cache_creation_input_tokens), 0) as cache_creation_input_tokens,
      coalesce(sum(cache_creation_5m_tokens), 0) as cache_creation_5m_tokens,
      coalesce(sum(cache_creation_1h_tokens), 0) as cache_creation_1h_tokens,
      coalesce(sum(cache_read_input_tokens), 0) as cache_read_input_tokens,
      coalesce(sum(cost_usd), 0) as cost_usd`;
    const key = KEY_OF[query.by];
    const groups = await this.#database.run(() =>
      sql<unknown>`select ${key} as key, ${totals} from token_usage ${where}
        group by 1
        order by sum(input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens) desc, 1`.execute(
        this.#database.db,
      ),
    );
    const total = await this.#database.run(() =>
      sql<unknown>`select null::text as key, ${totals} from token_usage ${where}`.execute(this.#database.db),
    );
    return {
      by: query.by,
      since: query.since?.toISOString() ?? null,
      task_id: query.taskId,
      rows: groups.rows.map((row) => withShare(RowSchema.parse(row))),
      total: withShare(RowSchema.parse(total.rows[0])),
    };
  }

  /**
   * What the turns of task tree `rootTaskId` spent, and what all turns, the turns of
   * `project` and those of `role` spent since `dayStart` (the UTC day's start), in one query.
   */
  async spent(scope: {
    rootTaskId: string;
    dayStart: Date;
    project: string | null;
    role: string;
  }): Promise<ScopeSpends> {
    const day = sql`at >= ${scope.dayStart.toISOString()}::timestamptz`;
    const filters = {
      task: sql`root_task_id = ${scope.rootTaskId}`,
      day,
      project: scope.project === null ? sql`false` : sql`${day} and project = ${scope.project}`,
      role: sql`${day} and role = ${scope.role}`,
    };
    const columns = Object.entries(filters).flatMap(([name, filter]) => [
      sql`coalesce(sum(${ALL_TOKENS}) filter (where ${filter}), 0) as ${sql.ref(`${name}_tokens`)}`,
      sql`coalesce(sum(cost_usd) filter (where ${filter}), 0) as ${sql.ref(`${name}_usd`)}`,
    ]);
    const result = await this.#database.run(() =>
      sql<unknown>`select ${sql.join(columns)} from token_usage
        where ${filters.task} or ${day}`.execute(this.#database.db),
    );
    const row = SpendsRowSchema.parse(result.rows[0]);
    const spend = (name: keyof ScopeSpends): Spend => ({
      tokens: row[`${name}_tokens`],
      usd: row[`${name}_usd`],
    });
    return { task: spend("task"), day: spend("day"), project: spend("project"), role: spend("role") };
  }

  /** Deletes the turns before `cutoff` (the daemon's retention); returns how many. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.run(() =>
      this.#database.db.deleteFrom("token_usage").where("at", "<", cutoff).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
