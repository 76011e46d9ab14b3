// The state a routing decision sees, and the feature vector a learned router reads from it.

/** What is known about a task and the team when it is routed. */
export interface RoutingState {
  /** The task's cluster, derived from its embedding (see `embeddingCluster`), in [0, clusters). */
  cluster: number;
  clusters: number;
  /** The task description's length in characters. */
  size: number;
  /** Which of the known keywords the description contains (see `keywordFlags`). */
  keywords: boolean[];
  /** Busy share of each role's agents, 0..1, by role. */
  load: Record<string, number>;
  /** Each role's recent success rate, 0..1, by role (absent: no history). */
  successRate: Record<string, number>;
  /** The share of the day's token budget already spent, 0..1 (0 without a budget). */
  spend: number;
}

/**
 * The learned router's input: a bias, the cluster one-hot, log-size, keyword flags,
 * the mean load and the day's spend. Roles' own load and success rates are recorded with
 * each decision but left out of the linear model, which learns each role's success itself.
 */
export function routingFeatures(state: RoutingState): number[] {
  const cluster = Array.from({ length: state.clusters }, (_, i) => (i === state.cluster ? 1 : 0));
  const loads = Object.values(state.load);
  const meanLoad = loads.length === 0 ? 0 : loads.reduce((sum, value) => sum + value, 0) / loads.length;
  return [
    1,
    ...cluster,
    Math.min(1, Math.log10(1 + state.size) / 4),
    ...state.keywords.map((present) => (present ? 1 : 0)),
    meanLoad,
    state.spend,
  ];
}

/** The length of `routingFeatures`' vector for the given cluster and keyword counts. */
export const routingFeatureSize = (clusters: number, keywords: number) => 1 + clusters + 1 + keywords + 2;

/**
 * A cluster from an embedding by random hyperplanes (SimHash): the signs of `bits`
 * fixed projections, so similar tasks share a cluster without any training.
 */
export function embeddingCluster(embedding: readonly number[], bits: number, seed = 0x5eed): number {
  let cluster = 0;
  for (let bit = 0; bit < bits; bit++) {
    let dot = 0;
    for (let i = 0; i < embedding.length; i++) dot += embedding[i]! * hyperplane(seed, bit, i);
    if (dot >= 0) cluster |= 1 << bit;
  }
  return cluster;
}

/** A deterministic pseudo-random ±1 weight for (bit, dimension). */
function hyperplane(seed: number, bit: number, dimension: number): number {
  let z = (seed ^ Math.imul(bit + 1, 0x9e3779b1) ^ Math.imul(dimension + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) & 1 ? 1 : -1;
}

/** Which of `keywords` occur in `text` as words (case-insensitive). */
export function keywordFlags(text: string, keywords: readonly string[]): boolean[] {
  const words = new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  return keywords.map((keyword) => words.has(keyword.toLowerCase()));
}
