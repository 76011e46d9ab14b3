// k-NN search in the ReasoningBank: the vector half of hybrid retrieval (HNSW over
// pgvector), p50/p99 latency at 10k and 100k items on PGlite and PostgreSQL, with recall@10
// against exact search (every vector compared, in JavaScript). Items are synthetic texts over
// a 2,000-word vocabulary, embedded with the local provider; queries are items with a third
// of their words replaced, as a later task resembles an earlier one.
// Run: pnpm --filter @cca/memory bench knn   (MEMORY_BENCH_SIZES=10000,100000, MEMORY_BENCH_QUERIES=200)
import { performance } from "node:perf_hooks";
import type { MemoryItem } from "@cca/core";
import { type Database, type Engine, HashedNgramEmbedder, PatternRepository } from "../src/index.js";
import { cosine } from "../src/reasoning-bank/embedding-provider.js";
import { freshDatabase } from "../test/support/engines.js";
import { print } from "./print.js";

const SIZES = (process.env.MEMORY_BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const QUERIES = Number(process.env.MEMORY_BENCH_QUERIES ?? 200);
const K = 10;
const BATCH = 500;

/** A seeded generator (mulberry32), so every run searches the same items. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(42);
const syllables = [
  "ka",
  "lo",
  "mi",
  "ter",
  "vos",
  "ran",
  "dul",
  "pe",
  "sto",
  "ne",
  "bri",
  "gau",
  "fen",
  "ox",
  "ul",
];
const VOCABULARY = Array.from({ length: 2000 }, (_, i) => {
  let word = "";
  for (let s = 0; s < 2 + (i % 3); s++) word += syllables[Math.floor(next() * syllables.length)];
  return `${word}${i}`;
});
const pick = () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!;
const text = () => Array.from({ length: 12 + Math.floor(next() * 18) }, pick).join(" ");
const perturb = (words: string) =>
  words
    .split(" ")
    .map((word) => (next() < 1 / 3 ? pick() : word))
    .join(" ");

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function item(i: number): MemoryItem {
  return {
    id: `mem_${String(i).padStart(7, "0")}`,
    kind: "strategy",
    project: null,
    title: `item ${i}`,
    description: "",
    content: "",
    source_task_ids: [],
    confidence: 0.5,
    uses: 0,
    successes: 0,
    failures: 0,
    created_at: "2026-12-01T00:00:00.000Z",
    last_used_at: null,
    embedding_model: "local-hash-ngrams",
    embedding_dim: 256,
  };
}

async function measure(engine: Engine, size: number): Promise<string> {
  const database: Database = await freshDatabase(engine);
  try {
    const embedder = new HashedNgramEmbedder();
    const repository = new PatternRepository(database);
    const texts = Array.from({ length: size }, text);
    const vectors: number[][] = [];
    const loadStarted = performance.now();
    for (let start = 0; start < size; start += BATCH) {
      const batch = texts.slice(start, start + BATCH);
      const embedded = await embedder.embed(batch);
      vectors.push(...embedded);
      await repository.insertMany(batch.map((_, j) => ({ item: item(start + j), embedding: embedded[j]! })));
    }
    const loadS = (performance.now() - loadStarted) / 1000;
    const latencies: number[] = [];
    let recalled = 0;
    for (let q = 0; q < QUERIES; q++) {
      const [query] = await embedder.embed([perturb(texts[Math.floor(next() * size)]!)]);
      const started = performance.now();
      const found = await repository.candidates({
        embedding: query!,
        model: embedder.name,
        words: [],
        project: null,
        limit: K,
      });
      latencies.push(performance.now() - started);
      const exact = vectors
        .map((vector, index) => ({ index, similarity: cosine(vector, query!) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, K)
        .map((entry) => item(entry.index).id);
      const ids = new Set(found.map((candidate) => candidate.item.id));
      recalled += exact.filter((id) => ids.has(id)).length / K;
    }
    return `${engine.padEnd(9)} ${String(size).padStart(7)}  ${percentile(latencies, 50).toFixed(2).padStart(7)}  ${percentile(latencies, 99).toFixed(2).padStart(7)}  ${(recalled / QUERIES).toFixed(3).padStart(9)}  ${loadS.toFixed(1).padStart(7)}`;
  } finally {
    await database.close();
  }
}

print(`k-NN search, HNSW (pgvector), ${QUERIES} queries, top ${K}, 256 dimensions (local-hash-ngrams)`);
print("engine       items  p50 ms   p99 ms  recall@10  load s");
for (const engine of ["pglite", "postgres"] as const) {
  for (const size of SIZES) print(await measure(engine, size));
}
