import type { Agent, RoutingPolicy } from "@cca/core";
import type { EmbeddingProvider } from "@cca/memory";
import { keywordFlags, type LeaderClusters, type RoutingState } from "@cca/rl/routing";

/** Clusters of task embeddings the model tells apart, and how similar a task must be to join one. */
export const MAX_CLUSTERS = 8;
export const CLUSTER_THRESHOLD = 0.3;

export interface RoutingStateDeps {
  embeddings: EmbeddingProvider;
  keywords: readonly string[];
  agents: () => readonly Agent[];
  /** Each role's recent success rate for a policy. */
  successRate: (policy: RoutingPolicy) => Promise<Record<string, number>>;
}

/** What the router stores of a task: its state, and its embedding (rounded) to form clusters from. */
export type StoredRoutingState = RoutingState & { embedding: number[] };

/**
 * What the router sees of a task: the cluster of similar earlier tasks its embedding falls
 * in, its size and keywords, and the team's load and record.
 */
export async function routingState(
  deps: RoutingStateDeps,
  policy: RoutingPolicy,
  description: string,
  clusters: LeaderClusters,
): Promise<StoredRoutingState> {
  const [vector = []] = await deps.embeddings.embed([description]);
  const embedding = vector.map((value) => Math.round(value * 1e4) / 1e4);
  return {
    cluster: clusters.nearest(embedding),
    clusters: MAX_CLUSTERS,
    embedding,
    size: description.length,
    keywords: keywordFlags(description, deps.keywords),
    load: roleLoad(deps.agents()),
    successRate: await deps.successRate(policy),
    spend: 0,
  };
}

/** Each role's busy share among its live agents. */
function roleLoad(agents: readonly Agent[]): Record<string, number> {
  const counts: Record<string, { live: number; busy: number }> = {};
  for (const agent of agents) {
    if (agent.state === "stopped" || agent.state === "failed" || agent.state === "stopping") continue;
    counts[agent.role] ??= { live: 0, busy: 0 };
    const entry = counts[agent.role]!;
    entry.live += 1;
    if (agent.state === "busy" || agent.state === "waiting_input") entry.busy += 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([role, { live, busy }]) => [role, busy / live]));
}
