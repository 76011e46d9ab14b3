// Prioritized experience replay (Schaul et al. 2016, proportional variant): transitions are
// drawn with probability p_i^α / Σ p^α and weighted by (N·P(i))^−β / max w.
import type { Transition } from "../core/algorithm.js";
import type { Action, Observation } from "../core/env.js";
import type { Random } from "../core/random.js";
import type { Space } from "../core/spaces.js";
import { type ReplayBatch, ReplayBuffer } from "./replay-buffer.js";
import { SumTree } from "./sum-tree.js";

export interface PrioritizedReplayOptions {
  /** How strongly priorities shape sampling (0: uniform). */
  alpha?: number;
  /** Added to every |TD error| so no transition's priority is 0. */
  epsilon?: number;
  gamma?: number;
}

export class PrioritizedReplayBuffer<O extends Observation = Observation, A extends Action = Action> {
  private readonly storage: ReplayBuffer<O, A>;
  private readonly priorities: SumTree;
  private readonly alpha: number;
  private readonly epsilon: number;
  private maxPriority = 1;

  constructor(
    capacity: number,
    observationSpace: Space,
    actionSpace: Space,
    options: PrioritizedReplayOptions = {},
  ) {
    this.storage = new ReplayBuffer(capacity, observationSpace, actionSpace, options.gamma);
    this.priorities = new SumTree(capacity);
    this.alpha = options.alpha ?? 0.6;
    this.epsilon = options.epsilon ?? 1e-6;
  }

  get size(): number {
    return this.storage.size;
  }

  /** Stores a transition at the highest priority seen, so it is replayed at least once soon. */
  add(transition: Transition<O, A>, discount?: number): number {
    const slot = this.storage.add(transition, discount);
    this.priorities.set(slot, this.maxPriority ** this.alpha);
    return slot;
  }

  /** A batch drawn by priority (stratified), with importance weights for exponent `beta`. */
  sample(size: number, random: Random, beta: number): ReplayBatch {
    if (this.size === 0) throw new Error("Cannot sample from an empty replay buffer");
    const total = this.priorities.total;
    const indices = new Int32Array(size);
    const weights = new Float32Array(size);
    const segment = total / size;
    let maxWeight = 0;
    for (let i = 0; i < size; i++) {
      const slot = Math.min(this.priorities.find((i + random.next()) * segment), this.size - 1);
      indices[i] = slot;
      const probability = this.priorities.get(slot) / total;
      const weight = (this.size * probability) ** -beta;
      weights[i] = weight;
      maxWeight = Math.max(maxWeight, weight);
    }
    for (let i = 0; i < size; i++) weights[i] = weights[i]! / maxWeight;
    return this.storage.gather(indices, weights);
  }

  /** Sets the sampled transitions' priorities from their new |TD errors|. */
  updatePriorities(indices: Int32Array, errors: ArrayLike<number>): void {
    indices.forEach((slot, i) => {
      const priority = Math.abs(errors[i]!) + this.epsilon;
      this.maxPriority = Math.max(this.maxPriority, priority);
      this.priorities.set(slot, priority ** this.alpha);
    });
  }
}
