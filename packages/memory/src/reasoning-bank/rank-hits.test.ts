import type { MemoryItem } from "@cca/core";
import { describe, expect, it } from "vitest";
import { type Candidate, rankHits } from "./rank-hits.js";

const NOW = new Date("2026-12-01T00:00:00.000Z");

function candidate(
  id: string,
  overrides: Partial<Candidate> = {},
  item: Partial<MemoryItem> = {},
): Candidate {
  return {
    item: {
      id,
      kind: "strategy",
      project: null,
      title: id,
      description: "",
      content: id,
      source_task_ids: [],
      confidence: 0.5,
      uses: 0,
      successes: 0,
      failures: 0,
      created_at: NOW.toISOString(),
      last_used_at: null,
      embedding_model: "test",
      embedding_dim: 2,
      ...item,
    },
    embedding: [1, 0],
    similarity: 0.8,
    ...overrides,
  };
}
const ids = (hits: { item: { id: string } }[]) => hits.map((hit) => hit.item.id);

describe("rankHits", () => {
  it("never returns an item below the similarity threshold, however well its words match", () => {
    const hits = rankHits(
      [candidate("close", { vectorRank: 2 }), candidate("far", { similarity: 0.1, textRank: 1 })],
      {
        limit: 5,
        threshold: 0.3,
        now: NOW,
      },
    );
    expect(ids(hits)).toEqual(["close"]);
    expect(
      rankHits([candidate("far", { similarity: 0.1, vectorRank: 1 })], {
        limit: 5,
        threshold: 0.3,
        now: NOW,
      }),
    ).toEqual([]);
  });

  it("ranks an item both searches found above one only one found (reciprocal rank fusion)", () => {
    const hits = rankHits(
      [
        candidate("vector-only", { vectorRank: 1, embedding: [1, 0] }),
        candidate("both", { vectorRank: 2, textRank: 1, embedding: [0, 1] }),
      ],
      { limit: 2, threshold: 0, now: NOW, lambda: 1 },
    );
    expect(ids(hits)).toEqual(["both", "vector-only"]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it("weighs by confidence and recency", () => {
    const old = new Date(NOW.getTime() - 365 * 86_400_000).toISOString();
    const hits = rankHits(
      [
        candidate("doubtful", { vectorRank: 1, embedding: [1, 0] }, { confidence: 0.05 }),
        candidate("trusted", { vectorRank: 2, embedding: [0, 1] }, { confidence: 0.95 }),
        candidate("stale", { vectorRank: 3, embedding: [0.7, 0.7] }, { confidence: 0.95, created_at: old }),
      ],
      { limit: 3, threshold: 0, now: NOW, lambda: 1 },
    );
    expect(ids(hits)).toEqual(["trusted", "stale", "doubtful"]);
  });

  it("diversifies: a near-duplicate of the first hit gives way to a different item", () => {
    const hits = rankHits(
      [
        candidate("first", { vectorRank: 1, textRank: 1, embedding: [1, 0] }),
        candidate("duplicate", { vectorRank: 2, textRank: 2, embedding: [1, 0.01] }),
        candidate("different", { vectorRank: 3, embedding: [0, 1] }),
      ],
      { limit: 2, threshold: 0, now: NOW },
    );
    expect(ids(hits)).toEqual(["first", "different"]);
  });
});
