import { type MemoryItem, MemoryItemSchema, OUTCOME_JUDGES, type OutcomeJudge } from "@cca/core";
import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../database/open-database.js";
import type { DatabaseSchema } from "../database/schema.js";
import type { Candidate } from "./rank-hits.js";

/** A vector as pgvector's text form, `[0.1,0.2,…]`. */
export function toVectorText(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}

const VectorTextSchema = z
  .string()
  .regex(/^\[.*\]$/, "a pgvector value in its text form")
  .transform((text) => text.slice(1, -1).split(",").map(Number));

const timestamp = z.coerce.date().transform((date) => date.toISOString());
const PatternRowSchema = MemoryItemSchema.extend({
  confidence: z.coerce.number(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
});
const CandidateRowSchema = PatternRowSchema.extend({
  embedding_text: VectorTextSchema,
  similarity: z.coerce.number(),
});

const ITEM_COLUMNS = sql.raw(
  "id, kind, project, title, description, content, source_task_ids, confidence, uses, successes, failures, created_at, last_used_at, embedding_model, embedding_dim",
);

/** The HNSW search breadth. On 10k items (bench/knn.ts) recall@10 is 0.77 at pgvector's default of 40, 0.91-0.93 at 100 (p99 6-7 ms), 0.96-0.98 at 200 (p99 11-13 ms). */
const EF_SEARCH = 100;

/** The judges whose verdicts `judge` may replace: itself and the lighter ones. */
const judgesUpTo = (judge: OutcomeJudge) => OUTCOME_JUDGES.slice(0, OUTCOME_JUDGES.indexOf(judge) + 1);

/** What finds candidates for one query: its vector, its words, and where it may look. */
export interface CandidateQuery {
  embedding: readonly number[];
  model: string;
  /** Content words of the query, for full-text search (stemmed by PostgreSQL). */
  words: readonly string[];
  /** The task's project: its items and the global ones; null: global items only. */
  project: string | null;
  /** How many each search returns before fusion. */
  limit: number;
}

/**
 * The ReasoningBank's storage: memory items with their embedding (table `patterns`), which
 * tasks each was injected into, and the two searches hybrid retrieval fuses: nearest
 * neighbours by cosine (HNSW) and full-text matches (GIN), in PGlite or PostgreSQL.
 */
export class PatternRepository {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /**
   * Makes sure vectors of `dimension` have an HNSW index (256's comes with the migration),
   * and gathers the table's statistics, which PGlite (no autovacuum) would never have.
   */
  async ensureIndex(dimension: number): Promise<void> {
    const dim = sql.raw(String(checkedDimension(dimension)));
    await this.#database.run(async () => {
      await sql`create index if not exists ${sql.raw(`patterns_embedding_${dimension}`)} on patterns using hnsw ((embedding::vector(${dim})) vector_cosine_ops) where embedding_dim = ${dim}`.execute(
        this.#database.db,
      );
      await sql`analyze patterns`.execute(this.#database.db);
    });
  }

  async insert(item: MemoryItem, embedding: readonly number[]): Promise<void> {
    await this.insertMany([{ item, embedding }]);
  }

  /** Stores several items in one statement (imports, benchmarks). */
  async insertMany(rows: readonly { item: MemoryItem; embedding: readonly number[] }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#database.run(() =>
      this.#database.db
        .insertInto("patterns")
        .values(rows.map(({ item, embedding }) => ({ ...item, embedding: toVectorText(embedding) })))
        .execute(),
    );
  }

  async find(id: string): Promise<MemoryItem | undefined> {
    const row = await this.#database.run(() =>
      this.#database.db
        .selectFrom("patterns")
        .select(["id", "kind", "project", "title", "description", "content", "source_task_ids"])
        .select(["confidence", "uses", "successes", "failures", "created_at", "last_used_at"])
        .select(["embedding_model", "embedding_dim"])
        .where("id", "=", id)
        .executeTakeFirst(),
    );
    return row ? PatternRowSchema.parse(row) : undefined;
  }

  /** True when it deleted the item. Its injection records go with it. */
  async delete(id: string): Promise<boolean> {
    return this.#database.run(() =>
      this.#database.db.transaction().execute(async (trx) => {
        await trx.deleteFrom("pattern_injections").where("pattern_id", "=", id).execute();
        const result = await trx.deleteFrom("patterns").where("id", "=", id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
    );
  }

  /**
   * The query's candidates: the nearest `limit` by cosine among vectors of the same model
   * and dimension, and the best `limit` full-text matches (any of the words), each with its
   * rank in its list and its exact similarity to the query.
   */
  async candidates(query: CandidateQuery): Promise<Candidate[]> {
    const dim = sql.raw(String(checkedDimension(query.embedding.length)));
    const vector = toVectorText(query.embedding);
    const scope =
      query.project === null ? sql`project is null` : sql`(project is null or project = ${query.project})`;
    const similarity = sql`1 - (embedding::vector(${dim}) <=> ${vector}::vector(${dim}))`;
    // HNSW returns at most ef_search rows, and its recall grows with it (40 by default).
    const efSearch = sql.raw(String(Math.max(EF_SEARCH, query.limit)));
    const nearest = await this.#database.run(() =>
      this.#database.db.transaction().execute(async (trx) => {
        await sql`set local hnsw.ef_search = ${efSearch}`.execute(trx);
        return sql`select ${ITEM_COLUMNS}, embedding::text as embedding_text, ${similarity} as similarity
            from patterns
            where embedding_dim = ${dim} and embedding_model = ${query.model} and ${scope}
            order by embedding::vector(${dim}) <=> ${vector}::vector(${dim})
            limit ${query.limit}`.execute(trx);
      }),
    );
    const byId = new Map<string, Candidate>();
    nearest.rows.forEach((row, index) => {
      const parsed = CandidateRowSchema.parse(row);
      byId.set(parsed.id, { ...toCandidate(parsed), vectorRank: index + 1 });
    });
    if (query.words.length === 0) return [...byId.values()];
    const terms = sql`to_tsquery('english', ${query.words.join(" | ")})`;
    const matches = await this.#database.run(() =>
      sql`select ${ITEM_COLUMNS}, embedding::text as embedding_text, ${similarity} as similarity
          from patterns
          where search @@ ${terms} and embedding_dim = ${dim} and embedding_model = ${query.model} and ${scope}
          order by ts_rank_cd(search, ${terms}) desc, id
          limit ${query.limit}`.execute(this.#database.db),
    );
    matches.rows.forEach((row, index) => {
      const parsed = CandidateRowSchema.parse(row);
      const known = byId.get(parsed.id);
      if (known) known.textRank = index + 1;
      else byId.set(parsed.id, { ...toCandidate(parsed), textRank: index + 1 });
    });
    return [...byId.values()];
  }

  /**
   * The item nearest to `embedding` of one kind in exactly one scope (a project, or global),
   * with its similarity: a new item that close is a duplicate of it.
   */
  async nearestOfKind(query: {
    embedding: readonly number[];
    model: string;
    kind: string;
    project: string | null;
  }): Promise<{ item: MemoryItem; similarity: number } | undefined> {
    const dim = sql.raw(String(checkedDimension(query.embedding.length)));
    const vector = toVectorText(query.embedding);
    const result = await this.#database.run(() =>
      sql`select ${ITEM_COLUMNS}, embedding::text as embedding_text,
            1 - (embedding::vector(${dim}) <=> ${vector}::vector(${dim})) as similarity
          from patterns
          where embedding_dim = ${dim} and embedding_model = ${query.model} and kind = ${query.kind}
            and project is not distinct from ${query.project}
          order by embedding::vector(${dim}) <=> ${vector}::vector(${dim})
          limit 1`.execute(this.#database.db),
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const { item, similarity } = toCandidate(CandidateRowSchema.parse(row));
    return { item, similarity };
  }

  /** Adds tasks to an item's provenance (a duplicate merged into it); returns the item. */
  async addProvenance(id: string, taskIds: readonly string[]): Promise<MemoryItem | undefined> {
    const item = await this.find(id);
    if (!item) return undefined;
    const merged = [...new Set([...item.source_task_ids, ...taskIds])];
    await this.#database.run(() =>
      this.#database.db
        .updateTable("patterns")
        .set({ source_task_ids: merged })
        .where("id", "=", id)
        .execute(),
    );
    return { ...item, source_task_ids: merged };
  }

  /** Deletes items whose confidence fell to `floor` or below after at least `minOutcomes` outcomes. */
  async prune(floor: number, minOutcomes: number): Promise<string[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("patterns")
        .select("id")
        // From the counts, not the stored real (float4), so an item exactly at the floor goes.
        .where(sql<boolean>`(successes + 1.0) / (successes + failures + 2) <= ${floor}`)
        .where(sql<boolean>`successes + failures >= ${minOutcomes}`)
        .execute(),
    );
    for (const row of rows) await this.delete(row.id);
    return rows.map((row) => row.id);
  }

  /** Keeps at most `max` items in one scope, dropping the least trusted, least recently used first. */
  async trim(project: string | null, max: number): Promise<string[]> {
    const rows = await this.#database.run(() =>
      sql<{ id: string }>`select id from patterns where project is not distinct from ${project}
          order by confidence desc, coalesce(last_used_at, created_at) desc, id
          offset ${max}`.execute(this.#database.db),
    );
    for (const row of rows.rows) await this.delete(row.id);
    return rows.rows.map((row) => row.id);
  }

  /** Records which items went into a task's prompt; each task counts one use of an item. */
  async recordInjections(
    taskId: string,
    hits: readonly { id: string; score: number }[],
    at: Date,
  ): Promise<void> {
    if (hits.length === 0) return;
    await this.#database.run(() =>
      this.#database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("pattern_injections")
          .values(
            hits.map((hit) => ({
              task_id: taskId,
              pattern_id: hit.id,
              score: hit.score,
              injected_at: at,
              outcome: null,
              judged_by: null,
            })),
          )
          .onConflict((conflict) => conflict.columns(["task_id", "pattern_id"]).doNothing())
          .execute();
        await trx
          .updateTable("patterns")
          .set({ last_used_at: at })
          .where(
            "id",
            "in",
            hits.map((hit) => hit.id),
          )
          .execute();
        await recount(
          trx,
          hits.map((hit) => hit.id),
        );
      }),
    );
  }

  /**
   * Sets how the tasks went for the items injected into them, where no weightier judge has
   * spoken (a person's feedback outweighs an LLM judge, which outweighs the task's status;
   * the same judge may change its verdict), then each item's counters and its confidence:
   * (successes + 1) / (outcomes + 2). Returns the items it moved.
   */
  async recordOutcome(
    taskIds: readonly string[],
    outcome: "success" | "failure",
    judge: OutcomeJudge,
  ): Promise<string[]> {
    if (taskIds.length === 0) return [];
    return this.#database.run(() =>
      this.#database.db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable("pattern_injections")
          .set({ outcome, judged_by: judge })
          .where("task_id", "in", [...taskIds])
          .where((row) =>
            row.or([row("judged_by", "is", null), row("judged_by", "in", [...judgesUpTo(judge)])]),
          )
          .returning("pattern_id")
          .execute();
        const ids = [...new Set(rows.map((row) => row.pattern_id))];
        await recount(trx, ids);
        return ids;
      }),
    );
  }

  /** The bank's size by kind, and its most used items. */
  async summary(top: number): Promise<{ byKind: Record<string, number>; topItems: MemoryItem[] }> {
    const counts = await this.#database.run(() =>
      sql<{ kind: string; n: number }>`select kind, count(*)::int as n from patterns group by kind`.execute(
        this.#database.db,
      ),
    );
    const rows = await this.#database.run(() =>
      sql`select ${ITEM_COLUMNS} from patterns order by uses desc, created_at desc, id limit ${top}`.execute(
        this.#database.db,
      ),
    );
    return {
      byKind: Object.fromEntries(counts.rows.map((row) => [row.kind, Number(row.n)])),
      topItems: rows.rows.map((row) => PatternRowSchema.parse(row)),
    };
  }

  /** How top-level tasks ended, with hints (any item injected) and without. */
  async outcomesByHints(): Promise<Record<"with" | "without", { completed: number; failed: number }>> {
    const result = await this.#database.run(() =>
      sql<{ hinted: boolean; status: string; n: number }>`select
          exists (select 1 from pattern_injections i where i.task_id = t.id) as hinted, t.status, count(*)::int as n
        from tasks t
        where t.parent_id is null and t.status in ('completed', 'failed')
        group by 1, 2`.execute(this.#database.db),
    );
    const outcomes = { with: { completed: 0, failed: 0 }, without: { completed: 0, failed: 0 } };
    for (const row of result.rows) {
      const group = row.hinted ? outcomes.with : outcomes.without;
      group[row.status as "completed" | "failed"] = Number(row.n);
    }
    return outcomes;
  }

  /** Items whose vectors are not of this provider and dimension, oldest first. */
  async staleEmbeddings(model: string, dimension: number, limit: number): Promise<MemoryItem[]> {
    const rows = await this.#database.run(() =>
      sql`select ${ITEM_COLUMNS} from patterns
          where embedding_model <> ${model} or embedding_dim <> ${dimension}
          order by created_at, id limit ${limit}`.execute(this.#database.db),
    );
    return rows.rows.map((row) => PatternRowSchema.parse(row));
  }

  /** Replaces an item's vector, with the provider that made it. */
  async setEmbedding(id: string, embedding: readonly number[], model: string): Promise<void> {
    await this.#database.run(() =>
      this.#database.db
        .updateTable("patterns")
        .set({ embedding: toVectorText(embedding), embedding_model: model, embedding_dim: embedding.length })
        .where("id", "=", id)
        .execute(),
    );
  }

  /** Every item with its text, oldest first, for export. */
  async all(): Promise<MemoryItem[]> {
    const rows = await this.#database.run(() =>
      sql`select ${ITEM_COLUMNS} from patterns order by created_at, id`.execute(this.#database.db),
    );
    return rows.rows.map((row) => PatternRowSchema.parse(row));
  }

  /** The items injected into a task, best score first. */
  async injectedInto(taskId: string): Promise<{ id: string; score: number }[]> {
    const rows = await this.#database.run(() =>
      this.#database.db
        .selectFrom("pattern_injections")
        .select(["pattern_id", "score"])
        .where("task_id", "=", taskId)
        .orderBy("score", "desc")
        .execute(),
    );
    return rows.map((row) => ({ id: row.pattern_id, score: Number(row.score) }));
  }
}

/** Counters from the injection records, and confidence from the outcomes once there are any. */
async function recount(trx: Transaction<DatabaseSchema>, patternIds: readonly string[]): Promise<void> {
  if (patternIds.length === 0) return;
  await sql`update patterns as p
      set uses = s.uses, successes = s.successes, failures = s.failures,
        confidence = case when s.successes + s.failures = 0 then p.confidence
          else (s.successes + 1.0) / (s.successes + s.failures + 2) end
      from (
        select pattern_id, count(*)::int as uses,
          (count(*) filter (where outcome = 'success'))::int as successes,
          (count(*) filter (where outcome = 'failure'))::int as failures
        from pattern_injections
        where pattern_id in (${sql.join([...patternIds])})
        group by pattern_id
      ) as s
      where p.id = s.pattern_id`.execute(trx);
}

function toCandidate(row: z.infer<typeof CandidateRowSchema>): Candidate {
  const { embedding_text, similarity, ...item } = row;
  return { item, embedding: embedding_text, similarity };
}

function checkedDimension(dimension: number): number {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16_000) {
    throw new RangeError(`A vector dimension is an integer from 1 to 16000, not ${dimension}`);
  }
  return dimension;
}
