/**
 * Turns texts into vectors for the ReasoningBank's similarity search. The name and dimension
 * are stored with every vector: a search only compares vectors of the same provider, and
 * `cca memory reembed` rebuilds the others after a change.
 */
export interface EmbeddingProvider {
  /** Shown in `/health` and with every search result, e.g. `local-hash-ngrams`. */
  readonly name: string;
  readonly dimension: number;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** Cosine similarity of two vectors of the same length; 0 when either is all zeros. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The vector scaled to length 1; all zeros stays all zeros. */
export function unitLength(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}
