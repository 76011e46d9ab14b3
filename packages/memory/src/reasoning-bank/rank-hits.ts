import type { MemoryItem } from "@cca/core";
import { cosine } from "./embedding-provider.js";

/** An item found by either search, with its place in each list (1 = best). */
export interface Candidate {
  item: MemoryItem;
  embedding: number[];
  /** Cosine similarity to the query. */
  similarity: number;
  vectorRank?: number;
  textRank?: number;
}

export interface RankOptions {
  /** How many hits to return. */
  limit: number;
  /** Below this cosine similarity an item is never returned, however well its words match. */
  threshold: number;
  now: Date;
  /** Relevance against novelty in MMR: 1 ranks by score alone. Default 0.7. */
  lambda?: number;
  /** Days after which an unused item's recency weight halves. Default 30. */
  halfLifeDays?: number;
}

export interface RankedHit {
  item: MemoryItem;
  score: number;
  similarity: number;
}

/** Reciprocal rank fusion's constant (Cormack et al.): damps the weight of the very top ranks. */
const RRF_K = 60;
const DAY_MS = 86_400_000;

/**
 * Hybrid ranking: reciprocal rank fusion of the vector and full-text lists, weighted by
 * the item's confidence and recency, then diversified with maximal marginal relevance so
 * near-duplicates do not fill the hints. Items under the similarity threshold are dropped
 * first: an unrelated task gets no hints at all.
 */
export function rankHits(candidates: readonly Candidate[], options: RankOptions): RankedHit[] {
  const lambda = options.lambda ?? 0.7;
  const halfLifeDays = options.halfLifeDays ?? 30;
  const best = 2 / (RRF_K + 1);
  const scored = candidates
    .filter((candidate) => candidate.similarity >= options.threshold)
    .map((candidate) => {
      const fused =
        (candidate.vectorRank ? 1 / (RRF_K + candidate.vectorRank) : 0) +
        (candidate.textRank ? 1 / (RRF_K + candidate.textRank) : 0);
      const lastUsed = Date.parse(candidate.item.last_used_at ?? candidate.item.created_at);
      const ageDays = Math.max(0, (options.now.getTime() - lastUsed) / DAY_MS);
      const recency = 0.5 ** (ageDays / halfLifeDays);
      const score = (fused / best) * (0.5 + 0.5 * candidate.item.confidence) * (0.75 + 0.25 * recency);
      return { candidate, score };
    });
  const chosen: typeof scored = [];
  while (chosen.length < options.limit && scored.length > 0) {
    let bestIndex = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    scored.forEach((entry, index) => {
      const redundancy = Math.max(
        0,
        ...chosen.map((picked) => cosine(entry.candidate.embedding, picked.candidate.embedding)),
      );
      const value = lambda * entry.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    chosen.push(...scored.splice(bestIndex, 1));
  }
  return chosen.map(({ candidate, score }) => ({
    item: candidate.item,
    score,
    similarity: candidate.similarity,
  }));
}
