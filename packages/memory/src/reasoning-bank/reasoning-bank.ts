import {
  CcaError,
  type Clock,
  MEMORY_LIMITS,
  type MemoryHit,
  type MemoryItem,
  type MemoryStats,
  type NewMemoryItem,
  NewMemoryItemSchema,
  newId,
  type OutcomeJudge,
  systemClock,
} from "@cca/core";
import type { Database } from "../database/open-database.js";
import type { EmbeddingProvider } from "./embedding-provider.js";
import { contentWords } from "./hashed-ngram-embedder.js";
import { PatternRepository } from "./pattern-repository.js";
import { rankHits } from "./rank-hits.js";

export interface ReasoningBankOptions {
  database: Database;
  embeddings: EmbeddingProvider;
  /** Below this cosine similarity nothing is returned. Default 0.2 (unrelated texts stay under about 0.12 with the local embedder). */
  threshold?: number;
  /** How many hits a search returns unless told. Default 1 (the paper found more hurt). */
  defaultLimit?: number;
  /** A new item this similar to one of the same kind and scope merges into it. Default 0.9. */
  mergeThreshold?: number;
  /** An item whose confidence falls to this or below after `minOutcomes` outcomes is deleted. Default 0.2. */
  pruneBelow?: number;
  /** Outcomes an item needs before it can be pruned. Default 3. */
  minOutcomes?: number;
  /** Most items per project (and globally); the least trusted go first. Default 1000. */
  maxItemsPerProject?: number;
  clock?: Clock;
}

export interface SearchOptions {
  /** The task's project folder: its items and the global ones. Default: global only. */
  project?: string | null;
  limit?: number;
  threshold?: number;
}

/** The longest query embedded, in characters; a task description beyond it is cut. */
const MAX_QUERY_CHARS = 20_000;
/** How many candidates each of the two searches brings before fusion. */
const CANDIDATES_PER_SEARCH = 40;

/**
 * The ReasoningBank: stores memory items with their embedding, and finds the few that fit
 * a task (hybrid search, ranked by `rankHits`), never one below the similarity threshold.
 * @example
 * const bank = new ReasoningBank({ database, embeddings: new HashedNgramEmbedder() });
 * await bank.add({ title: "Run migrations before tests", content: "…" });
 * const hits = await bank.search("the tests fail on a fresh database");
 */
export class ReasoningBank {
  readonly #repository: PatternRepository;
  readonly #embeddings: EmbeddingProvider;
  readonly #threshold: number;
  readonly #defaultLimit: number;
  readonly #clock: Clock;
  readonly #consolidation: { merge: number; pruneBelow: number; minOutcomes: number; max: number };

  constructor(options: ReasoningBankOptions) {
    this.#repository = new PatternRepository(options.database);
    this.#embeddings = options.embeddings;
    this.#threshold = options.threshold ?? 0.2;
    this.#defaultLimit = options.defaultLimit ?? 1;
    this.#clock = options.clock ?? systemClock;
    this.#consolidation = {
      merge: options.mergeThreshold ?? 0.9,
      pruneBelow: options.pruneBelow ?? 0.2,
      minOutcomes: options.minOutcomes ?? 3,
      max: options.maxItemsPerProject ?? 1000,
    };
  }

  /** The provider's name, for `/health` and search results. */
  get embeddingModel(): string {
    return this.#embeddings.name;
  }

  get embeddingDimension(): number {
    return this.#embeddings.dimension;
  }

  /** Creates the vector index for the provider's dimension, if it has none. */
  async prepare(): Promise<void> {
    await this.#repository.ensureIndex(this.#embeddings.dimension);
  }

  /**
   * Stores a new item, or merges it into a near-duplicate of the same kind and scope (cosine
   * at or above the merge threshold), which keeps its text and counters and gains the new
   * provenance; returns the item stored or merged into. Bad input is refused with what was
   * wrong and what is expected. The scope keeps at most its bound of items.
   */
  async add(input: NewMemoryItem): Promise<MemoryItem> {
    const parsed = NewMemoryItemSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") || "item";
      throw new CcaError(
        "bad_request",
        `Memory item ${field}: ${issue.message} (title up to ${MEMORY_LIMITS.title} characters, description up to ${MEMORY_LIMITS.description}, content up to ${MEMORY_LIMITS.content}; kind strategy or guardrail)`,
      );
    }
    const fields = parsed.data;
    const [embedding] = await this.#embed([`${fields.title}\n${fields.description}\n${fields.content}`]);
    const nearest = await this.#repository.nearestOfKind({
      embedding: embedding!,
      model: this.#embeddings.name,
      kind: fields.kind,
      project: fields.project_dir,
    });
    if (nearest && nearest.similarity >= this.#consolidation.merge) {
      const merged = await this.#repository.addProvenance(nearest.item.id, fields.source_task_ids);
      if (merged) return merged;
    }
    const item: MemoryItem = {
      id: newId("mem"),
      kind: fields.kind,
      project: fields.project_dir,
      title: fields.title,
      description: fields.description,
      content: fields.content,
      source_task_ids: fields.source_task_ids,
      confidence: fields.confidence,
      uses: 0,
      successes: 0,
      failures: 0,
      created_at: new Date(this.#clock.now()).toISOString(),
      last_used_at: null,
      embedding_model: this.#embeddings.name,
      embedding_dim: this.#embeddings.dimension,
    };
    await this.#repository.insert(item, embedding!);
    await this.#repository.trim(item.project, this.#consolidation.max);
    return item;
  }

  /** The items that fit `query`, best first; none when nothing reaches the threshold. */
  async search(query: string, options: SearchOptions = {}): Promise<MemoryHit[]> {
    const text = query.trim().slice(0, MAX_QUERY_CHARS);
    if (!text)
      throw new CcaError("bad_request", "A memory search needs a query: some words describing the task");
    const limit = options.limit ?? this.#defaultLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw new CcaError("bad_request", `A memory search's limit is an integer from 1 to 50, not ${limit}`);
    }
    const [embedding] = await this.#embed([text]);
    const candidates = await this.#repository.candidates({
      embedding: embedding!,
      model: this.#embeddings.name,
      words: [...new Set(contentWords(text))].slice(0, 64),
      project: options.project ?? null,
      limit: CANDIDATES_PER_SEARCH,
    });
    const hits = rankHits(candidates, {
      limit,
      threshold: options.threshold ?? this.#threshold,
      now: new Date(this.#clock.now()),
    });
    return hits.map((hit) => ({ ...hit, embedding_model: this.#embeddings.name }));
  }

  async get(id: string): Promise<MemoryItem> {
    const item = await this.#repository.find(id);
    if (!item) throw new CcaError("not_found", `No memory item ${id}; cca memory search finds items`);
    return item;
  }

  async forget(id: string): Promise<void> {
    if (!(await this.#repository.delete(id))) {
      throw new CcaError("not_found", `No memory item ${id}; cca memory search finds items`);
    }
  }

  /** Records the hits injected into a task's prompt (each counts a use). */
  async recordInjections(taskId: string, hits: readonly MemoryHit[]): Promise<void> {
    await this.#repository.recordInjections(
      taskId,
      hits.map((hit) => ({ id: hit.item.id, score: hit.score })),
      new Date(this.#clock.now()),
    );
  }

  /**
   * How tasks went, by `judge`, for the items injected into them (a verdict never replaces a
   * weightier judge's); returns the items whose counters moved. Items that keep failing are
   * pruned once their confidence is at the floor or below.
   */
  async recordOutcome(taskIds: readonly string[], success: boolean, judge: OutcomeJudge): Promise<string[]> {
    const moved = await this.#repository.recordOutcome(taskIds, success ? "success" : "failure", judge);
    if (!success && moved.length > 0) {
      await this.#repository.prune(this.#consolidation.pruneBelow, this.#consolidation.minOutcomes);
    }
    return moved;
  }

  /** The bank's size, each item's record (most used first), and tasks with hints against without. */
  async stats(top = 20): Promise<MemoryStats> {
    const [{ byKind, topItems }, outcomes] = await Promise.all([
      this.#repository.summary(top),
      this.#repository.outcomesByHints(),
    ]);
    const counts = ({ completed, failed }: { completed: number; failed: number }) => ({
      completed,
      failed,
      success_rate: completed + failed === 0 ? null : completed / (completed + failed),
    });
    return {
      embedding_model: this.#embeddings.name,
      items: Object.values(byKind).reduce((sum, n) => sum + n, 0),
      by_kind: byKind,
      tasks_with_hints: counts(outcomes.with),
      tasks_without_hints: counts(outcomes.without),
      top_items: topItems,
    };
  }

  /**
   * Embeds anew, with this bank's provider, every item whose vector came from another
   * provider or dimension (after a change of `[memory]`): until then a search does not see it.
   * Returns how many it re-embedded.
   */
  async reembed(): Promise<{ reembedded: number; embedding_model: string }> {
    let done = 0;
    for (;;) {
      const stale = await this.#repository.staleEmbeddings(
        this.#embeddings.name,
        this.#embeddings.dimension,
        100,
      );
      if (stale.length === 0) break;
      const vectors = await this.#embed(
        stale.map((item) => `${item.title}\n${item.description}\n${item.content}`),
      );
      for (const [index, item] of stale.entries()) {
        await this.#repository.setEmbedding(item.id, vectors[index]!, this.#embeddings.name);
      }
      done += stale.length;
    }
    return { reembedded: done, embedding_model: this.#embeddings.name };
  }

  /** Every item as one JSON line: what `import` takes back (embeddings are made anew). */
  async export(): Promise<string> {
    const items = await this.#repository.all();
    return items
      .map((item) =>
        JSON.stringify({
          title: item.title,
          description: item.description,
          content: item.content,
          kind: item.kind,
          project_dir: item.project,
          source_task_ids: item.source_task_ids,
          confidence: item.confidence,
        }),
      )
      .map((line) => `${line}\n`)
      .join("");
  }

  /**
   * Imports JSON lines as `export` writes them (or as `add` takes items). Every line is
   * checked before any is stored: a malformed one is reported with its line number, and
   * nothing is imported. Near-duplicates merge as with `add`. Returns how many lines were stored.
   */
  async import(jsonl: string): Promise<{ imported: number }> {
    const problems: string[] = [];
    const items: NewMemoryItem[] = [];
    jsonl.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        problems.push(`line ${index + 1}: not JSON`);
        return;
      }
      const parsed = NewMemoryItemSchema.safeParse(raw);
      if (parsed.success) items.push(parsed.data);
      else {
        const issue = parsed.error.issues[0]!;
        problems.push(`line ${index + 1}: ${issue.path.join(".") || "item"}: ${issue.message}`);
      }
    });
    if (problems.length > 0) {
      const shown = problems.slice(0, 10).join("; ");
      const more = problems.length > 10 ? `; and ${problems.length - 10} more` : "";
      throw new CcaError(
        "bad_request",
        `Nothing imported: ${problems.length} malformed line${problems.length === 1 ? "" : "s"} (${shown}${more}). Each line is one JSON item: {title, content, description?, kind?, project_dir?, source_task_ids?, confidence?}`,
      );
    }
    for (const item of items) await this.add(item);
    return { imported: items.length };
  }

  async injectedInto(taskId: string): Promise<{ id: string; score: number }[]> {
    return this.#repository.injectedInto(taskId);
  }

  /** The provider's vectors, each checked for the dimension it promised. */
  async #embed(texts: string[]): Promise<number[][]> {
    const vectors = await this.#embeddings.embed(texts);
    for (const vector of vectors) {
      if (vector.length !== this.#embeddings.dimension || vector.some((x) => !Number.isFinite(x))) {
        throw new CcaError(
          "invalid_config",
          `The embedding provider ${this.#embeddings.name} returned a vector of ${vector.length} numbers, expected ${this.#embeddings.dimension} finite ones: set memory's embedding dimension to match the model, then run cca memory reembed`,
        );
      }
    }
    return vectors;
  }
}
