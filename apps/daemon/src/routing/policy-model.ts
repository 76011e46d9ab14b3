import type { RoutingExperience, RoutingPolicy } from "@cca/core";
import type { RoutingCheckpoint, SettledCursor } from "@cca/memory";
import {
  LeaderClusters,
  LinearBandit,
  type RoutingArm,
  routingEncoder,
  routingFeatures,
} from "@cca/rl/routing";
import { z } from "zod";

const SavedModelSchema = z.object({
  arms: z.array(z.object({ role: z.string(), tier: z.enum(["small", "standard", "large"]) })),
  features: z.number().int().positive(),
  clusters: z.unknown(),
  bandit: z.unknown(),
});

/**
 * One policy's learner: its arms (role × tier, in a fixed order), the clusters of task
 * embeddings, the bandit over them, and how far into the settled experiences it has read. Every daemon folds the same shared
 * experiences in the same order, so their models agree.
 */
export class PolicyModel {
  bandit: LinearBandit;
  clusters: LeaderClusters;
  cursor: SettledCursor | null = null;
  trainedOn = 0;
  savedTrainedOn = -1;
  checkpointAt: string | null = null;

  constructor(
    readonly policy: RoutingPolicy,
    readonly arms: readonly RoutingArm[],
    readonly features: number,
    private readonly clustering: { max: number; threshold: number },
  ) {
    this.bandit = this.#freshBandit();
    this.clusters = new LeaderClusters(clustering.max, clustering.threshold);
  }

  armIndex(role: string, tier: string): number {
    return this.arms.findIndex((arm) => arm.role === role && arm.tier === tier);
  }

  /**
   * Folds settled experiences in, each in the cluster it forms or joins now (so every daemon
   * folding them in order agrees); ones for arms or features it does not have are passed over.
   */
  fold(experiences: readonly RoutingExperience[]): void {
    for (const experience of experiences) {
      this.cursor = { settledAt: experience.settled_at!, id: experience.id };
      const arm = this.armIndex(experience.role, experience.tier);
      const { embedding } = experience.state;
      if (arm < 0 || experience.reward === null || !embedding) continue;
      const features = routingFeatures({ ...experience.state, cluster: this.clusters.learn(embedding) });
      if (features.length !== this.features) continue;
      this.bandit.observe({
        observation: features,
        action: arm,
        reward: experience.reward,
        nextObservation: features,
        terminated: true,
        truncated: false,
      });
      this.trainedOn += 1;
    }
    this.bandit.train();
  }

  reset(): void {
    this.bandit = this.#freshBandit();
    this.clusters = new LeaderClusters(this.clustering.max, this.clustering.threshold);
    this.cursor = null;
    this.trainedOn = 0;
  }

  /** What `rl_checkpoints` keeps: the arms and feature count with the bandit, so a changed team starts afresh. */
  toCheckpoint(): Omit<RoutingCheckpoint, "savedAt"> {
    return {
      policy: this.policy,
      algorithm: this.bandit.name,
      checkpoint: {
        arms: this.arms,
        features: this.features,
        clusters: this.clusters.toJSON(),
        bandit: this.bandit.save(),
      },
      experiences: this.trainedOn,
      cursor: this.cursor,
    };
  }

  /** Restores a checkpoint of the same arms and features; false (and unchanged) otherwise. */
  restore(saved: RoutingCheckpoint): boolean {
    const parsed = SavedModelSchema.safeParse(saved.checkpoint);
    if (!parsed.success || parsed.data.features !== this.features) return false;
    if (JSON.stringify(parsed.data.arms) !== JSON.stringify(this.arms)) return false;
    try {
      this.bandit.load(parsed.data.bandit);
      if (!this.clusters.restore(parsed.data.clusters)) throw new Error("clusters of other settings");
    } catch {
      this.reset();
      return false;
    }
    this.cursor = saved.cursor;
    this.trainedOn = saved.experiences;
    this.savedTrainedOn = saved.experiences;
    this.checkpointAt = saved.savedAt;
    return true;
  }

  #freshBandit(): LinearBandit {
    return new LinearBandit({
      arms: this.arms.length,
      features: this.features,
      encoder: routingEncoder(this.arms, this.features),
    });
  }
}
