import { addUsage, CcaError, emptyUsage, type Task, type TaskStatus, type TokenUsage } from "@cca/core";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";
import {
  briefOfRow,
  columnsOfTask,
  type PartBrief,
  type TaskRow,
  TaskRowSchema,
  taskOfRow,
} from "./task-row.js";

/** What `list` filters on; every filter runs in the database. */
export interface TaskListFilter {
  status?: TaskStatus | readonly TaskStatus[];
  /** `null`: top-level tasks only; an id: the parts of that task. Absent: both. */
  parent_id?: string | null;
  project?: string;
  /** Only tasks created at or after this ISO time. */
  since?: string;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
  /** The `next_cursor` of the page before: continues after its last task. */
  cursor?: string;
}

/** One page of tasks, newest first, and the cursor of the next page (null on the last). */
export interface TaskPage {
  tasks: Task[];
  next_cursor: string | null;
}

/** What the scheduler's handler needs to know about a stored task: the task, who ran it, how often. */
/** What `projectTotals` reports of one project. */
export interface ProjectTotals {
  project: string;
  /** Top-level tasks by status (statuses with none left out). */
  tasks: Record<string, number>;
  usage: TokenUsage;
  lastTaskAt: string;
}

const ProjectTotalsRowSchema = z.object({
  project: z.string(),
  status: z.string(),
  count: z.coerce.number().int(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  cache_creation_input_tokens: z.coerce.number(),
  cache_read_input_tokens: z.coerce.number(),
  cost_usd: z.coerce.number(),
  last_task_at: z.coerce.date().transform((date) => date.toISOString()),
});

const TeamUsageRowSchema = z.object({
  root: z.string(),
  part_count: z.coerce.number().int(),
  input_tokens: z.coerce.number(),
  output_tokens: z.coerce.number(),
  cache_creation_input_tokens: z.coerce.number(),
  cache_read_input_tokens: z.coerce.number(),
  cost_usd: z.coerce.number(),
});

export interface TaskRunState {
  task: Task;
  owner: string | null;
  attempts: number;
  cancelRequested: boolean;
  /** What was asked of a part; null for a top-level task. */
  brief: PartBrief | null;
}

const MAX_PAGE = 1000;

/**
 * The single source of truth about tasks, in PGlite or PostgreSQL: every change is written
 * here before anyone is told of it, and every row read back is parsed with zod.
 */
export class TaskRepository {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Stores a new task (a part with its brief); resolves once it is in the database. */
  async insert(task: Task, brief: PartBrief | null = null): Promise<void> {
    await this.#database.run(() =>
      this.#database.db
        .insertInto("tasks")
        .values({
          id: task.id,
          parent_id: task.parent_id,
          project: task.project,
          description: task.description,
          priority: task.priority,
          status: task.status,
          agent_id: task.agent_id,
          session_id: task.session_id,
          result: task.result,
          error: task.error === null ? null : JSON.stringify(task.error),
          usage: JSON.stringify(task.usage),
          num_turns: task.num_turns,
          created_at: task.created_at,
          started_at: task.started_at,
          finished_at: task.finished_at,
          duration_ms: task.duration_ms,
          agent_duration_ms: task.agent_duration_ms,
          workspace: task.workspace === null ? null : JSON.stringify(task.workspace),
          budget: task.budget === null ? null : JSON.stringify(task.budget),
          resumed_at: task.resumed_at,
          role: brief?.role ?? null,
          context: brief?.context ?? null,
          timeout_ms: brief?.timeoutMs ?? null,
          pinned_agent_id: brief?.agentId ?? null,
          pinned_daemon: brief?.daemon ?? null,
        })
        .execute(),
    );
  }

  /**
   * The task, or a `task_not_found` error. A top-level task comes with its `team_usage` (its
   * own usage plus all its parts', recursively) and its `part_count`.
   */
  async get(id: string): Promise<Task> {
    const task = await this.find(id);
    if (!task) throw notFound(id);
    return (await this.#withTeamUsage([task]))[0] ?? task;
  }

  /**
   * The task as stored, without the team totals `get` adds (one row read, no walk of its
   * tree): for the daemons' own decisions. A `task_not_found` error if there is none.
   */
  async read(id: string): Promise<Task> {
    const task = await this.find(id);
    if (!task) throw notFound(id);
    return task;
  }

  async find(id: string): Promise<Task | undefined> {
    return (await this.runState(id))?.task;
  }

  /** The task with the facts only the daemons need: its owner, attempts, a pending cancel. */
  async runState(id: string): Promise<TaskRunState | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst(),
    );
    return row ? runStateOfRow(row) : undefined;
  }

  /** Writes `fields` and resolves with the task as stored. */
  async update(id: string, fields: Partial<Task>): Promise<Task> {
    const task = await this.transition(id, null, fields);
    if (!task) throw notFound(id);
    return task;
  }

  /**
   * Writes `fields` only while the task's status is one of `from` (any status when null):
   * a compare-and-set, so two daemons cannot both end or start one task. Resolves with the
   * task as stored, or undefined when its status was another (or there is no such task).
   */
  async transition(
    id: string,
    from: readonly TaskStatus[] | null,
    fields: Partial<Task>,
    run: {
      owner?: string | null;
      countAttempt?: boolean;
      /** Ends it at this ISO time: `finished_at`, and `duration_ms` counted from its `created_at`. */
      endedAt?: string;
    } = {},
  ): Promise<Task | undefined> {
    const columns = columnsOfTask(fields);
    if (run.owner !== undefined) columns.owner = run.owner;
    const row = await this.#database.run(() => {
      let query = this.#database.db.updateTable("tasks").set(columns).where("id", "=", id);
      if (run.countAttempt) query = query.set({ attempts: sql`attempts + 1` });
      if (run.endedAt !== undefined) {
        const endedAt = run.endedAt;
        query = query.set({
          finished_at: endedAt,
          duration_ms: sql`extract(epoch from (${endedAt}::timestamptz - created_at)) * 1000`,
        });
      }
      if (from) query = query.where("status", "in", [...from]);
      return query.returningAll().executeTakeFirst();
    });
    return row ? taskOfRow(parseRow(row)) : undefined;
  }

  /** Newest first, filtered and paged in the database. */
  async list(filter: TaskListFilter = {}): Promise<TaskPage> {
    const limit = Math.min(Math.max(1, filter.limit ?? 100), MAX_PAGE);
    const rows = await this.#database.run(() => {
      let query = this.#database.db
        .selectFrom("tasks")
        .selectAll()
        .orderBy("seq", "desc")
        .limit(limit + 1);
      if (filter.status !== undefined) {
        const statuses = typeof filter.status === "string" ? [filter.status] : [...filter.status];
        query = query.where("status", "in", statuses);
      }
      if (filter.parent_id === null) query = query.where("parent_id", "is", null);
      else if (filter.parent_id !== undefined) query = query.where("parent_id", "=", filter.parent_id);
      if (filter.project !== undefined) query = query.where("project", "=", filter.project);
      if (filter.since !== undefined) query = query.where("created_at", ">=", new Date(filter.since));
      if (filter.cursor !== undefined) query = query.where("seq", "<", parseCursor(filter.cursor));
      return query.execute();
    });
    const parsed = rows.map(parseRow);
    const page = parsed.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: await this.#withTeamUsage(page.map(taskOfRow)),
      next_cursor: parsed.length > limit && last ? String(last.seq) : null,
    };
  }

  /**
   * The tasks, the top-level ones with their `team_usage` (summed over each one's tree) and
   * `part_count` (the tree's size less the task), in one query.
   */
  async #withTeamUsage(tasks: Task[]): Promise<Task[]> {
    const roots = tasks.filter((task) => task.parent_id === null).map((task) => task.id);
    if (roots.length === 0) return tasks;
    const usage = (field: string) => sql<number>`coalesce(sum((usage->>${field})::float8), 0)`;
    const result = await this.#database.run(() =>
      sql<Record<string, unknown>>`
        with recursive tree(root, id, usage) as (
          select id, id, usage from tasks where id in (${sql.join(roots)})
          union all
          select tree.root, child.id, child.usage from tasks child join tree on child.parent_id = tree.id
        )
        select root,
          count(*) - 1 as part_count,
          ${usage("input_tokens")} as input_tokens,
          ${usage("output_tokens")} as output_tokens,
          ${usage("cache_creation_input_tokens")} as cache_creation_input_tokens,
          ${usage("cache_read_input_tokens")} as cache_read_input_tokens,
          ${usage("cost_usd")} as cost_usd
        from tree group by root
      `.execute(this.#database.db),
    );
    const totals = new Map(
      result.rows.map((row) => {
        const parsed = TeamUsageRowSchema.parse(row);
        const team: TokenUsage = {
          input_tokens: Math.round(parsed.input_tokens),
          output_tokens: Math.round(parsed.output_tokens),
          cache_creation_input_tokens: Math.round(parsed.cache_creation_input_tokens),
          cache_read_input_tokens: Math.round(parsed.cache_read_input_tokens),
          cost_usd: parsed.cost_usd,
        };
        return [parsed.root, { team, partCount: parsed.part_count }] as const;
      }),
    );
    return tasks.map((task) => {
      const totalsOfTree = totals.get(task.id);
      return totalsOfTree
        ? { ...task, team_usage: totalsOfTree.team, part_count: totalsOfTree.partCount }
        : task;
    });
  }

  /** The parts of `parentId`, oldest first. */
  async children(parentId: string): Promise<Task[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("tasks")
        .selectAll()
        .where("parent_id", "=", parentId)
        .orderBy("seq", "asc")
        .execute(),
    );
    return rows.map((row) => taskOfRow(parseRow(row)));
  }

  /** Every task below `rootId` (parts, their parts, …), found by `parent_id` in one query. */
  async descendants(rootId: string): Promise<Task[]> {
    const result = await this.#database.run(() =>
      sql<Record<string, unknown>>`
        with recursive tree as (
          select * from tasks where parent_id = ${rootId}
          union all
          select child.* from tasks child join tree on child.parent_id = tree.id
        )
        select * from tree order by seq
      `.execute(this.#database.db),
    );
    return result.rows.map((row) => taskOfRow(parseRow(row)));
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("tasks")
        .select(["status", sql<number>`count(*)::int`.as("count")])
        .groupBy("status")
        .execute(),
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /**
   * Per project: its top-level tasks by status, the usage of all its tasks and parts, and
   * when its latest task came; most recent first.
   */
  async projectTotals(): Promise<ProjectTotals[]> {
    const usage = (field: string) => sql<number>`coalesce(sum((usage->>${field})::float8), 0)`;
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("tasks")
        .select([
          "project",
          "status",
          sql<number>`count(*) filter (where parent_id is null)::int`.as("count"),
          usage("input_tokens").as("input_tokens"),
          usage("output_tokens").as("output_tokens"),
          usage("cache_creation_input_tokens").as("cache_creation_input_tokens"),
          usage("cache_read_input_tokens").as("cache_read_input_tokens"),
          usage("cost_usd").as("cost_usd"),
          sql<Date>`max(created_at)`.as("last_task_at"),
        ])
        .where("project", "is not", null)
        .groupBy(["project", "status"])
        .execute(),
    );
    const byProject = new Map<string, ProjectTotals>();
    for (const row of rows) {
      const parsed = ProjectTotalsRowSchema.parse(row);
      const totals = byProject.get(parsed.project) ?? {
        project: parsed.project,
        tasks: {},
        usage: emptyUsage(),
        lastTaskAt: parsed.last_task_at,
      };
      if (parsed.count > 0) totals.tasks[parsed.status] = parsed.count;
      totals.usage = addUsage(totals.usage, {
        input_tokens: Math.round(parsed.input_tokens),
        output_tokens: Math.round(parsed.output_tokens),
        cache_creation_input_tokens: Math.round(parsed.cache_creation_input_tokens),
        cache_read_input_tokens: Math.round(parsed.cache_read_input_tokens),
        cost_usd: parsed.cost_usd,
      });
      if (parsed.last_task_at > totals.lastTaskAt) totals.lastTaskAt = parsed.last_task_at;
      byProject.set(parsed.project, totals);
    }
    return [...byProject.values()].sort((x, y) => y.lastTaskAt.localeCompare(x.lastTaskAt));
  }

  /** Tasks and parts not yet ended (queued or running), oldest first, with who runs them. */
  async unfinished(): Promise<TaskRunState[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("tasks")
        .selectAll()
        .where("status", "in", ["queued", "running"])
        .orderBy("seq", "asc")
        .execute(),
    );
    return rows.map(runStateOfRow);
  }

  /** Marks a cancel for whichever daemon runs the task; false if it already ended. */
  async requestCancel(id: string): Promise<boolean> {
    const result = await this.#database.run(() =>
      this.#database.db
        .updateTable("tasks")
        .set({ cancel_requested_at: new Date().toISOString() })
        .where("id", "=", id)
        .where("status", "in", ["queued", "running"])
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Which of `ids` someone asked to cancel. */
  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("tasks")
        .select("id")
        .where("id", "in", [...ids])
        .where("cancel_requested_at", "is not", null)
        .execute(),
    );
    return rows.map((row) => row.id);
  }

  /** Deletes top-level tasks (with their parts) that ended before `cutoff`; resolves with how many. */
  async deleteEndedBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.run(() =>
      this.#database.db
        .deleteFrom("tasks")
        .where("parent_id", "is", null)
        .where("finished_at", "<", cutoff)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}

function parseRow(row: unknown): TaskRow {
  const parsed = TaskRowSchema.safeParse(row);
  if (!parsed.success) {
    throw new CcaError("internal", `A tasks row in the database does not parse: ${parsed.error.message}`, {
      details: { issues: parsed.error.issues },
    });
  }
  return parsed.data;
}

function runStateOfRow(row: unknown): TaskRunState {
  const parsed = parseRow(row);
  return {
    task: taskOfRow(parsed),
    owner: parsed.owner,
    attempts: parsed.attempts,
    cancelRequested: parsed.cancel_requested_at !== null,
    brief: briefOfRow(parsed),
  };
}

function parseCursor(cursor: string): number {
  if (!/^\d+$/.test(cursor)) {
    throw new CcaError(
      "bad_request",
      `cursor=${JSON.stringify(cursor)} is not a cursor; pass the next_cursor of a page`,
    );
  }
  return Number(cursor);
}

function notFound(id: string): CcaError {
  return new CcaError("task_not_found", `No task with id "${id}"; list tasks with GET /api/v1/tasks`, {
    details: { task_id: id },
  });
}
