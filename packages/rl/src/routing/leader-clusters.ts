// Clusters of task embeddings, formed online (leader clustering): a task joins the closest
// cluster whose centroid it is at least `threshold` similar to, else starts a new one, up to
// `max`. Formed in the order experiences are folded, so daemons folding the same experiences
// agree; a new task's cluster is looked up without changing any.
import { z } from "zod";

const SavedSchema = z.object({
  threshold: z.number(),
  max: z.number().int().positive(),
  centroids: z.array(z.object({ sum: z.array(z.number()), count: z.number().int().positive() })),
});

export class LeaderClusters {
  private centroids: { sum: number[]; count: number }[] = [];

  constructor(
    readonly max: number,
    readonly threshold: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`LeaderClusters needs max >= 1, got ${max}`);
  }

  get size(): number {
    return this.centroids.length;
  }

  /**
   * The cluster of `embedding`: the most similar centroid at or above the threshold; else the
   * next new cluster's index (where nothing is known yet), or with every cluster taken, the nearest.
   */
  nearest(embedding: readonly number[]): number {
    const { index, similarity } = this.closest(embedding);
    if (index >= 0 && (similarity >= this.threshold || this.centroids.length >= this.max)) return index;
    return Math.min(this.centroids.length, this.max - 1);
  }

  /** Assigns `embedding` to its cluster (starting one if it is new) and moves that centroid towards it. */
  learn(embedding: readonly number[]): number {
    const cluster = this.nearest(embedding);
    const centroid = this.centroids[cluster];
    if (!centroid) {
      this.centroids.push({ sum: [...embedding], count: 1 });
      return this.centroids.length - 1;
    }
    if (centroid.sum.length === embedding.length) {
      embedding.forEach((value, i) => {
        centroid.sum[i] = centroid.sum[i]! + value;
      });
      centroid.count += 1;
    }
    return cluster;
  }

  toJSON(): z.infer<typeof SavedSchema> {
    return {
      threshold: this.threshold,
      max: this.max,
      centroids: this.centroids.map((c) => ({ sum: [...c.sum], count: c.count })),
    };
  }

  /** Restores saved clusters of the same `max` and threshold; false (and unchanged) otherwise. */
  restore(saved: unknown): boolean {
    const parsed = SavedSchema.safeParse(saved);
    if (!parsed.success || parsed.data.max !== this.max || parsed.data.threshold !== this.threshold)
      return false;
    this.centroids = parsed.data.centroids;
    return true;
  }

  private closest(embedding: readonly number[]): { index: number; similarity: number } {
    let best = { index: -1, similarity: Number.NEGATIVE_INFINITY };
    this.centroids.forEach((centroid, index) => {
      const similarity = cosine(centroid.sum, embedding);
      if (similarity > best.similarity) best = { index, similarity };
    });
    return best;
  }
}

function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.NEGATIVE_INFINITY;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
