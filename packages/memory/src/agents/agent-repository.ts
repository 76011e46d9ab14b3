import { type Agent, AgentSchema, CcaError } from "@cca/core";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";

const timestamp = z.coerce.date().transform((date) => date.toISOString());
const AgentRowSchema = AgentSchema.extend({
  daemon: z.string().nullable(),
  created_at: timestamp,
  last_activity_at: timestamp,
  resumable: z.boolean(),
});

/**
 * Agents' records: role, working directory and Claude session, so that a conversation
 * outlives its process. An agent that stops (evicted, crashed, or its daemon gone) after
 * at least one turn is *resumable*: the next agent its role needs takes up its session.
 */
export class AgentRepository {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Stores the agent's current record (this daemon's view of it). */
  async save(agent: Agent, daemon: string | null): Promise<void> {
    const columns = {
      role: agent.role,
      state: agent.state,
      driver: agent.driver,
      daemon,
      pid: agent.pid,
      session_id: agent.session_id,
      working_dir: agent.working_dir,
      project: agent.project,
      current_task_id: agent.current_task_id,
      tasks_completed: agent.tasks_completed,
      usage: JSON.stringify(agent.usage),
      last_tool: agent.last_tool ? JSON.stringify(agent.last_tool) : null,
      last_error: agent.last_error ? JSON.stringify(agent.last_error) : null,
      last_activity_at: agent.last_activity_at,
    };
    await this.#database.run(() =>
      this.#database.db
        .insertInto("agents")
        .values({ id: agent.id, created_at: agent.created_at, ...columns })
        .onConflict((conflict) => conflict.column("id").doUpdateSet(columns))
        .execute(),
    );
  }

  async find(id: string): Promise<(Agent & { resumable: boolean }) | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirst(),
    );
    return row ? parseAgent(row) : undefined;
  }

  /** Every stored agent, most recently active first. */
  async list(options: { limit?: number } = {}): Promise<(Agent & { resumable: boolean })[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("agents")
        .selectAll()
        .orderBy("last_activity_at", "desc")
        .limit(options.limit ?? 1000)
        .execute(),
    );
    return rows.map(parseAgent);
  }

  /** The daemons that have agents not yet stopped, as far as the records say. */
  async liveDaemons(): Promise<string[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("agents")
        .select("daemon")
        .distinct()
        .where("state", "not in", ["stopped", "failed"])
        .where("daemon", "is not", null)
        .execute(),
    );
    return rows.map((row) => row.daemon).filter((name): name is string => name !== null);
  }

  /** Marks the agent's conversation as one to resume (if it has one); false if it had none. */
  async markResumable(id: string): Promise<boolean> {
    const result = await this.#database.run(() =>
      this.#database.db
        .updateTable("agents")
        .set({ resumable: true })
        .where("id", "=", id)
        .where("session_id", "is not", null)
        .where("tasks_completed", ">", 0)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Takes the most recently active resumable conversation of `role` in `project` (it stops being
   * resumable, so no two agents take it), or undefined when there is none.
   */
  async takeResumable(role: string, project: string | null = null): Promise<Agent | undefined> {
    const result = await this.#database.run(() =>
      sql<Record<string, unknown>>`
        update agents set resumable = false
        where id = (
          select id from agents where role = ${role} and project is not distinct from ${project} and resumable
          order by last_activity_at desc limit 1 for update skip locked
        )
        returning *
      `.execute(this.#database.db),
    );
    const row = result.rows[0];
    return row ? parseAgent(row) : undefined;
  }

  /** How many agents not stopped each project has, on any daemon. */
  async liveCountByProject(options: { exceptDaemon?: string } = {}): Promise<Map<string, number>> {
    const rows = await this.#database.run(() => {
      let query = this.#database.db
        .selectFrom("agents")
        .select(["project", sql<number>`count(*)::int`.as("count")])
        .where("project", "is not", null)
        .where("state", "not in", ["stopped", "failed"]);
      if (options.exceptDaemon !== undefined)
        query = query.where((row) =>
          row.or([row("daemon", "is", null), row("daemon", "!=", options.exceptDaemon!)]),
        );
      return query.groupBy("project").execute();
    });
    return new Map(rows.map((row) => [String(row.project), Number(row.count)]));
  }

  /** The agents not yet stopped that these daemons ran, as last recorded. */
  async liveAgentsOf(daemons: readonly string[]): Promise<Agent[]> {
    if (daemons.length === 0) return [];
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("agents")
        .selectAll()
        .where("daemon", "in", [...daemons])
        .where("state", "not in", ["stopped", "failed"])
        .execute(),
    );
    return rows.map(parseAgent);
  }

  /**
   * Agents that were live on daemons that are gone: their processes ended with them. Marks
   * them stopped, and resumable when they had a conversation. Resolves with how many.
   */
  async endLiveAgentsOf(daemons: readonly string[]): Promise<number> {
    if (daemons.length === 0) return 0;
    const result = await this.#database.run(() =>
      this.#database.db
        .updateTable("agents")
        .set({
          state: "stopped",
          pid: null,
          current_task_id: null,
          resumable: sql<boolean>`session_id is not null and tasks_completed > 0`,
        })
        .where("daemon", "in", [...daemons])
        .where("state", "not in", ["stopped", "failed"])
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }

  /** Forgets agents that stopped before `cutoff` and have no conversation to resume. */
  async deleteStoppedBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.run(() =>
      this.#database.db
        .deleteFrom("agents")
        .where("state", "in", ["stopped", "failed"])
        .where("resumable", "=", false)
        .where("last_activity_at", "<", cutoff)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}

function parseAgent(row: unknown): Agent & { resumable: boolean } {
  const parsed = AgentRowSchema.safeParse(row);
  if (!parsed.success) {
    throw new CcaError("internal", `An agents row in the database does not parse: ${parsed.error.message}`);
  }
  const { daemon, ...agent } = parsed.data;
  return daemon === null ? agent : { ...agent, daemon };
}
