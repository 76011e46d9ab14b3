import { type Clock, newId, systemClock } from "@cca/core";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";

/** A file an agent read while working on a task, and how much it was sent. */
export interface ContextRead {
  taskId: string;
  agentId: string;
  role: string;
  /** Relative to the agent's folder when inside it, so agents' worktrees compare. */
  path: string;
  chars: number;
}

const ReadRowSchema = z.object({
  task_id: z.string(),
  agent_id: z.string(),
  role: z.string(),
  path: z.string(),
  chars: z.coerce.number().int(),
});

/** The files agents read during tasks (`context_reads`), for finding what several of one task read. */
export class ContextReadRepository {
  readonly #database: Database;
  readonly #clock: Clock;

  constructor(database: Database, clock: Clock = systemClock) {
    this.#database = database;
    this.#clock = clock;
  }

  async record(read: ContextRead): Promise<void> {
    await this.#database.run(() =>
      this.#database.db
        .insertInto("context_reads")
        .values({
          id: newId("read"),
          at: new Date(this.#clock.now()),
          task_id: read.taskId,
          agent_id: read.agentId,
          role: read.role,
          path: read.path,
          chars: read.chars,
        })
        .execute(),
    );
  }

  /** Every read of task `rootTaskId` and of its parts, at any depth, oldest first. */
  async ofTree(rootTaskId: string): Promise<ContextRead[]> {
    const result = await this.#database.run(() =>
      sql<unknown>`
        with recursive tree as (
          select id from tasks where id = ${rootTaskId}
          union all
          select child.id from tasks child join tree on child.parent_id = tree.id
        )
        select task_id, agent_id, role, path, chars from context_reads
        where task_id in (select id from tree)
        order by at, id
      `.execute(this.#database.db),
    );
    return result.rows.map((row) => {
      const parsed = ReadRowSchema.parse(row);
      return {
        taskId: parsed.task_id,
        agentId: parsed.agent_id,
        role: parsed.role,
        path: parsed.path,
        chars: parsed.chars,
      };
    });
  }

  /** Deletes the reads before `cutoff` (the daemon's retention); returns how many. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.run(() =>
      this.#database.db.deleteFrom("context_reads").where("at", "<", cutoff).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
