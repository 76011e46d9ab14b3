// Uniform experience replay: a ring buffer of transitions stored in flat typed arrays.
import type { Transition } from "../core/algorithm.js";
import type { Action, Observation } from "../core/env.js";
import type { Random } from "../core/random.js";
import { flatSize, type Space } from "../core/spaces.js";

/** A sampled batch, column by column; observations are flat rows of `observationSize` floats. */
export interface ReplayBatch {
  size: number;
  /** Indices of the sampled slots (for priority updates). */
  indices: Int32Array;
  observations: Float32Array;
  /** Discrete actions as indices, Box actions as flat rows. */
  actions: Float32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  /** 1 where the transition ended in a terminal state (no bootstrap), else 0. */
  dones: Float32Array;
  /** Importance-sampling weights (all 1 for uniform sampling). */
  weights: Float32Array;
  /** Discount to apply to the bootstrap value (γ, or γ^n for n-step transitions). */
  discounts: Float32Array;
}

/**
 * A fixed-capacity replay buffer; the oldest transitions are overwritten first.
 * Discrete observations are stored one-hot, so every batch feeds a network directly.
 */
export class ReplayBuffer<O extends Observation = Observation, A extends Action = Action> {
  readonly observationSize: number;
  readonly actionSize: number;
  private readonly observations: Float32Array;
  private readonly nextObservations: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Float32Array;
  private readonly discounts: Float32Array;
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    private readonly observationSpace: Space,
    private readonly actionSpace: Space,
    private readonly gamma = 0.99,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError(`Replay capacity must be a positive integer, got ${capacity}`);
    this.observationSize = flatSize(observationSpace);
    this.actionSize = actionSpace.kind === "discrete" ? 1 : flatSize(actionSpace);
    this.observations = new Float32Array(capacity * this.observationSize);
    this.nextObservations = new Float32Array(capacity * this.observationSize);
    this.actions = new Float32Array(capacity * this.actionSize);
    this.rewards = new Float32Array(capacity);
    this.dones = new Float32Array(capacity);
    this.discounts = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Stores a transition; returns its slot. `discount` overrides γ for the bootstrap
   * (an n-step transition passes γ^n). A truncated episode still bootstraps.
   */
  add(transition: Transition<O, A>, discount = this.gamma): number {
    const slot = this.next;
    this.writeObservation(this.observations, slot, transition.observation);
    this.writeObservation(this.nextObservations, slot, transition.nextObservation);
    if (this.actionSpace.kind === "discrete") this.actions[slot] = transition.action as number;
    else this.actions.set(transition.action as readonly number[], slot * this.actionSize);
    this.rewards[slot] = transition.reward;
    this.dones[slot] = transition.terminated ? 1 : 0;
    this.discounts[slot] = discount;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    return slot;
  }

  /** `size` transitions drawn uniformly with replacement. */
  sample(size: number, random: Random): ReplayBatch {
    if (this.count === 0) throw new Error("Cannot sample from an empty replay buffer");
    const indices = new Int32Array(size);
    for (let i = 0; i < size; i++) indices[i] = random.int(this.count);
    return this.gather(indices, new Float32Array(size).fill(1));
  }

  /** The transitions in the given slots, with the given importance weights. */
  gather(indices: Int32Array, weights: Float32Array): ReplayBatch {
    const size = indices.length;
    const batch: ReplayBatch = {
      size,
      indices,
      observations: new Float32Array(size * this.observationSize),
      actions: new Float32Array(size * this.actionSize),
      rewards: new Float32Array(size),
      nextObservations: new Float32Array(size * this.observationSize),
      dones: new Float32Array(size),
      weights,
      discounts: new Float32Array(size),
    };
    indices.forEach((slot, row) => {
      const o = this.observationSize;
      batch.observations.set(this.observations.subarray(slot * o, (slot + 1) * o), row * o);
      batch.nextObservations.set(this.nextObservations.subarray(slot * o, (slot + 1) * o), row * o);
      const a = this.actionSize;
      batch.actions.set(this.actions.subarray(slot * a, (slot + 1) * a), row * a);
      batch.rewards[row] = this.rewards[slot]!;
      batch.dones[row] = this.dones[slot]!;
      batch.discounts[row] = this.discounts[slot]!;
    });
    return batch;
  }

  private writeObservation(target: Float32Array, slot: number, observation: Observation): void {
    const offset = slot * this.observationSize;
    if (this.observationSpace.kind === "discrete") {
      target.fill(0, offset, offset + this.observationSize);
      target[offset + (observation as number)] = 1;
    } else {
      target.set(observation as readonly number[], offset);
    }
  }
}
