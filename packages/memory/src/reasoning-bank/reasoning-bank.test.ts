import { newTask } from "@cca/core";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import { failure } from "../../test/support/refusal.js";
import type { Database } from "../database/open-database.js";
import { TaskRepository } from "../tasks/task-repository.js";
import type { EmbeddingProvider } from "./embedding-provider.js";
import { HashedNgramEmbedder } from "./hashed-ngram-embedder.js";
import { ReasoningBank } from "./reasoning-bank.js";

const NOW = Date.parse("2026-12-01T10:00:00.000Z");
const clock = { now: () => NOW };

const MIGRATIONS = {
  title: "Run the database migrations before the tests",
  content: "On a fresh database the test suite fails until `pnpm migrate` has run; run it first.",
};
const LOGO = {
  title: "Logo colours",
  content: "The bakery's logo is purple and gold; keep to those colours.",
};

describe.each(ENGINES)("ReasoningBank on %s", (engine) => {
  let database: Database;
  let bank: ReasoningBank;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    bank = new ReasoningBank({ database, embeddings: new HashedNgramEmbedder(), clock });
    await bank.prepare();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from pattern_injections; delete from patterns; delete from tasks`.execute(database.db);
  });

  it("stores an item with its provenance and embedding model, and reads it back", async () => {
    const stored = await bank.add({
      ...MIGRATIONS,
      kind: "guardrail",
      source_task_ids: ["task_1", "task_2"],
    });
    expect(await bank.get(stored.id)).toEqual({
      ...stored,
      description: "",
      project: null,
      confidence: 0.5,
      uses: 0,
      successes: 0,
      failures: 0,
      created_at: new Date(NOW).toISOString(),
      last_used_at: null,
      embedding_model: "local-hash-ngrams",
      embedding_dim: 256,
    });
    expect(stored.source_task_ids).toEqual(["task_1", "task_2"]);
  });

  it("finds the item that fits a task, naming the provider, and nothing for an unrelated task", async () => {
    const migrations = await bank.add(MIGRATIONS);
    await bank.add(LOGO);
    const hits = await bank.search("The tests fail on a fresh database: migrations missing?", { limit: 3 });
    expect(hits.map((hit) => hit.item.id)).toEqual([migrations.id]);
    expect(hits[0]).toMatchObject({ embedding_model: "local-hash-ngrams" });
    expect(hits[0]!.similarity).toBeGreaterThan(0.2);
    expect(await bank.search("Write the quarterly newsletter for investors", { limit: 3 })).toEqual([]);
  });

  it("keeps a project's items to that project, and global items to all", async () => {
    const shop = await bank.add({ ...MIGRATIONS, project_dir: "/work/shop" });
    const global = await bank.add({ ...MIGRATIONS, title: "Migrations first, everywhere" });
    const query = "run the migrations before the tests";
    const inShop = await bank.search(query, { project: "/work/shop", limit: 5, threshold: 0 });
    expect(inShop.map((hit) => hit.item.id).sort()).toEqual([shop.id, global.id].sort());
    const elsewhere = await bank.search(query, { project: "/work/blog", limit: 5, threshold: 0 });
    expect(elsewhere.map((hit) => hit.item.id)).toEqual([global.id]);
    expect((await bank.search(query, { limit: 5, threshold: 0 })).map((hit) => hit.item.id)).toEqual([
      global.id,
    ]);
  });

  it("records which items went into a task, counting a use of each", async () => {
    const item = await bank.add(MIGRATIONS);
    const hits = await bank.search("tests fail: run the migrations");
    await bank.recordInjections("task_9", hits);
    await bank.recordInjections("task_9", hits);
    expect(await bank.injectedInto("task_9")).toEqual([
      { id: item.id, score: expect.closeTo(hits[0]!.score, 5) },
    ]);
    expect(await bank.get(item.id)).toMatchObject({ uses: 1, last_used_at: new Date(NOW).toISOString() });
    await bank.recordInjections("task_10", hits);
    expect((await bank.get(item.id)).uses).toBe(2);
  });

  it("moves an item's counters and confidence with the outcomes of its tasks; a later answer replaces one", async () => {
    const item = await bank.add(MIGRATIONS);
    const hits = await bank.search("tests fail: run the migrations");
    for (const task of ["task_a", "task_b", "task_c"]) await bank.recordInjections(task, hits);
    expect(await bank.recordOutcome(["task_a", "task_b"], true, "status")).toEqual([item.id]);
    expect(await bank.get(item.id)).toMatchObject({ uses: 3, successes: 2, failures: 0, confidence: 0.75 });
    await bank.recordOutcome(["task_b", "task_c"], false, "status");
    const moved = await bank.get(item.id);
    expect(moved).toMatchObject({ uses: 3, successes: 1, failures: 2 });
    expect(moved.confidence).toBeCloseTo(0.4, 5);
    expect(await bank.recordOutcome(["task_without_hints"], false, "status")).toEqual([]);
  });

  it("lets no verdict replace a weightier judge's: feedback over an LLM judge over the status", async () => {
    const item = await bank.add(MIGRATIONS);
    await bank.recordInjections("task_a", await bank.search("tests fail: run the migrations"));
    await bank.recordOutcome(["task_a"], true, "status");
    expect(await bank.recordOutcome(["task_a"], false, "llm")).toEqual([item.id]);
    expect(await bank.get(item.id)).toMatchObject({ successes: 0, failures: 1 });
    expect(await bank.recordOutcome(["task_a"], true, "status")).toEqual([]);
    expect(await bank.recordOutcome(["task_a"], true, "feedback")).toEqual([item.id]);
    // A judge that comes late (after the feedback) changes nothing; the feedback may change its mind.
    expect(await bank.recordOutcome(["task_a"], false, "llm")).toEqual([]);
    expect(await bank.get(item.id)).toMatchObject({ successes: 1, failures: 0 });
    expect(await bank.recordOutcome(["task_a"], false, "feedback")).toEqual([item.id]);
    expect(await bank.get(item.id)).toMatchObject({ successes: 0, failures: 1 });
  });

  it("forgets an item, and says so for one it does not have", async () => {
    const item = await bank.add(MIGRATIONS);
    await bank.recordInjections("task_1", await bank.search("migrations before tests"));
    await bank.forget(item.id);
    expect((await failure(bank.get(item.id))).code).toBe("not_found");
    expect((await failure(bank.forget(item.id))).message).toContain(`No memory item ${item.id}`);
    expect(await bank.injectedInto("task_1")).toEqual([]);
  });

  it("merges a near-duplicate of the same kind and scope into the item it repeats, keeping both provenances", async () => {
    const first = await bank.add({ ...MIGRATIONS, source_task_ids: ["task_1"] });
    const again = await bank.add({
      ...MIGRATIONS,
      content: `${MIGRATIONS.content} `,
      source_task_ids: ["task_2"],
    });
    expect(again.id).toBe(first.id);
    expect(again.source_task_ids).toEqual(["task_1", "task_2"]);
    // Another kind, or another project, is another item.
    expect((await bank.add({ ...MIGRATIONS, kind: "guardrail" })).id).not.toBe(first.id);
    expect((await bank.add({ ...MIGRATIONS, project_dir: "/work/shop" })).id).not.toBe(first.id);
    expect((await bank.add(LOGO)).id).not.toBe(first.id);
    const rows = await sql<{ n: number }>`select count(*)::int as n from patterns`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(4);
  });

  it("prunes an item that keeps going into failing tasks once its confidence falls to the floor", async () => {
    const item = await bank.add(MIGRATIONS);
    const keeper = await bank.add(LOGO);
    const hits = await bank.search("tests fail: run the migrations");
    const tasks = ["task_1", "task_2", "task_3"];
    for (const task of tasks) await bank.recordInjections(task, hits);
    await bank.recordInjections("task_logo", await bank.search("purple gold logo colours"));
    await bank.recordOutcome(["task_1", "task_2"], false, "status");
    // Two failures: confidence 0.25, above the floor (and too few outcomes to judge).
    expect(await bank.get(item.id)).toMatchObject({ failures: 2, confidence: 0.25 });
    await bank.recordOutcome(["task_3", "task_logo"], false, "status");
    expect((await failure(bank.get(item.id))).code).toBe("not_found");
    // One failure is not enough to prune the other item.
    expect(await bank.get(keeper.id)).toMatchObject({ failures: 1 });
  });

  it("keeps each scope to its bound, dropping the least trusted first", async () => {
    const small = new ReasoningBank({
      database,
      embeddings: new HashedNgramEmbedder(),
      clock,
      maxItemsPerProject: 2,
    });
    const doubtful = await small.add({
      title: "Cache the builds",
      content: "Use turbo's cache",
      confidence: 0.1,
    });
    const trusted = await small.add({
      title: "Pin the node version",
      content: "Node 20 in .nvmrc",
      confidence: 0.9,
    });
    const newer = await small.add({
      title: "Lint before commit",
      content: "biome check --write",
      confidence: 0.5,
    });
    const elsewhere = await small.add({ ...LOGO, project_dir: "/work/bakery" });
    const left = await sql<{ id: string }>`select id from patterns order by id`.execute(database.db);
    expect(left.rows.map((row) => row.id).sort()).toEqual([trusted.id, newer.id, elsewhere.id].sort());
    expect(left.rows.map((row) => row.id)).not.toContain(doubtful.id);
  });

  it("counts items by kind, lists the most used, and compares tasks with hints against tasks without", async () => {
    const item = await bank.add(MIGRATIONS);
    await bank.add({ ...LOGO, kind: "guardrail" });
    const tasks = new TaskRepository(database);
    const ended = async (id: string, status: "completed" | "failed", hinted: boolean) => {
      await tasks.insert({
        ...newTask({ id, description: id, created_at: new Date(NOW).toISOString() }),
        status,
      });
      if (hinted) await bank.recordInjections(id, await bank.search("tests fail: run the migrations"));
    };
    await ended("task_h1", "completed", true);
    await ended("task_h2", "completed", true);
    await ended("task_h3", "failed", true);
    await ended("task_p1", "failed", false);
    await ended("task_p2", "completed", false);
    const stats = await bank.stats();
    expect(stats).toMatchObject({
      embedding_model: "local-hash-ngrams",
      items: 2,
      by_kind: { strategy: 1, guardrail: 1 },
      tasks_with_hints: { completed: 2, failed: 1, success_rate: 2 / 3 },
      tasks_without_hints: { completed: 1, failed: 1, success_rate: 0.5 },
    });
    expect(stats.top_items[0]).toMatchObject({ id: item.id, uses: 3 });
  });

  it("re-embeds the items of another provider or dimension, so a search sees them again", async () => {
    const small = new ReasoningBank({ database, embeddings: new HashedNgramEmbedder(64), clock });
    await small.prepare();
    const item = await small.add(MIGRATIONS);
    expect(await bank.search("run the migrations before the tests")).toEqual([]);
    expect(await bank.reembed()).toEqual({ reembedded: 1, embedding_model: "local-hash-ngrams" });
    expect((await bank.search("run the migrations before the tests")).map((hit) => hit.item.id)).toEqual([
      item.id,
    ]);
    expect(await bank.get(item.id)).toMatchObject({ embedding_dim: 256 });
    expect(await bank.reembed()).toEqual({ reembedded: 0, embedding_model: "local-hash-ngrams" });
  });

  it("exports items as JSON lines and imports them back, refusing a file with a malformed line whole", async () => {
    await bank.add({ ...MIGRATIONS, project_dir: "/work/shop", source_task_ids: ["task_1"] });
    await bank.add({ ...LOGO, kind: "guardrail" });
    const exported = await bank.export();
    expect(exported.trimEnd().split("\n")).toHaveLength(2);
    await sql`delete from patterns`.execute(database.db);
    const broken = `${exported}{"title": "no content"}\nnot json\n`;
    const refused = await failure(bank.import(broken));
    expect(refused.message).toContain("Nothing imported: 2 malformed lines (line 3: content:");
    expect(refused.message).toContain("line 4: not JSON");
    const none = await sql<{ n: number }>`select count(*)::int as n from patterns`.execute(database.db);
    expect(none.rows[0]!.n).toBe(0);
    expect(await bank.import(exported)).toEqual({ imported: 2 });
    const lines = (jsonl: string) => jsonl.trimEnd().split("\n").sort();
    expect(lines(await bank.export())).toEqual(lines(exported));
  });

  it("refuses bad input with what was wrong and what is expected, and stores nothing", async () => {
    const empty = await failure(bank.search("   "));
    expect(empty).toMatchObject({ code: "bad_request", message: expect.stringContaining("needs a query") });
    const huge = await failure(bank.add({ title: "Huge", content: "x".repeat(8_001) }));
    expect(huge.message).toContain("Memory item content");
    expect(huge.message).toContain("content up to 8000");
    const kind = await failure(bank.add({ ...MIGRATIONS, kind: "rumour" as "strategy" }));
    expect(kind.message).toContain("Memory item kind");
    expect((await failure(bank.search("x", { limit: 0 }))).message).toContain("integer from 1 to 50");
    const rows = await sql<{ n: number }>`select count(*)::int as n from patterns`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(0);
  });

  it("refuses a provider whose vectors do not have the dimension it promised", async () => {
    const wrong: EmbeddingProvider = {
      name: "broken",
      dimension: 256,
      embed: async (texts) => texts.map(() => [1, 0, 0]),
    };
    const broken = new ReasoningBank({ database, embeddings: wrong, clock });
    const error = await failure(broken.add(MIGRATIONS));
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain("returned a vector of 3 numbers, expected 256");
  });

  it("searches only vectors of its own provider, with an index of their own dimension", async () => {
    const small = new ReasoningBank({ database, embeddings: new HashedNgramEmbedder(64), clock });
    await small.prepare();
    const ours = await small.add(MIGRATIONS);
    await bank.add(MIGRATIONS);
    const hits = await small.search("migrations before the tests", { limit: 5 });
    expect(hits.map((hit) => hit.item.id)).toEqual([ours.id]);
    const indexes = await sql<{
      indexname: string;
    }>`select indexname from pg_indexes where tablename = 'patterns'`.execute(database.db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(["patterns_embedding_256", "patterns_embedding_64", "patterns_search"]),
    );
  });
});
