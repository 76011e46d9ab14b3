// On-policy rollout storage and GAE(λ) advantages, shared by PPO and A2C.
import type { Observation } from "../core/env.js";

/** One recorded step: the transition, plus what the policy said when it acted. */
export interface RolloutStep {
  observation: Observation;
  /** The action as sampled (before clipping to a Box's bounds), as the distribution stores it. */
  action: readonly number[];
  reward: number;
  nextObservation: Observation;
  terminated: boolean;
  truncated: boolean;
  /** V(observation) when the action was taken. */
  value: number;
  /** log π(action | observation) when the action was taken. */
  logProb: number;
}

/** The inputs of `computeGae`, one entry per step in the order they happened. */
export interface GaeInput {
  rewards: ArrayLike<number>;
  /** V(s_t). */
  values: ArrayLike<number>;
  /** V(s_{t+1}) of each step's own next observation; only read where the step did not terminate. */
  nextValues: ArrayLike<number>;
  /** s_{t+1} is terminal: nothing to bootstrap from. */
  terminated: ArrayLike<boolean | number>;
  /** The episode was cut off after step t (a time limit): bootstrap from V(s_{t+1}), but stop the λ-trace. */
  truncated: ArrayLike<boolean | number>;
  gamma: number;
  lambda: number;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016):
 * δ_t = r_t + γ·(1 − terminated_t)·V(s_{t+1}) − V(s_t), A_t = δ_t + γλ·(1 − done_t)·A_{t+1},
 * with done_t = terminated_t or truncated_t and A after the last step 0; returns_t = A_t + V(s_t).
 * λ = 1 gives n-step returns bootstrapped at the end of the rollout (A2C); λ = 0 one-step TD.
 *
 * @example
 * const { advantages, returns } = computeGae({ rewards, values, nextValues, terminated, truncated, gamma: 0.99, lambda: 0.95 });
 */
export function computeGae(input: GaeInput): { advantages: Float64Array; returns: Float64Array } {
  const { rewards, values, nextValues, terminated, truncated, gamma, lambda } = input;
  const n = rewards.length;
  for (const [name, array] of [
    ["values", values],
    ["nextValues", nextValues],
    ["terminated", terminated],
    ["truncated", truncated],
  ] as const) {
    if (array.length !== n)
      throw new RangeError(`computeGae: ${name} has ${array.length} entries, rewards ${n}`);
  }
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  let next = 0;
  for (let t = n - 1; t >= 0; t--) {
    const bootstrap = terminated[t] ? 0 : gamma * nextValues[t]!;
    const delta = rewards[t]! + bootstrap - values[t]!;
    const continues = terminated[t] || truncated[t] ? 0 : 1;
    next = delta + gamma * lambda * continues * next;
    advantages[t] = next;
    returns[t] = next + values[t]!;
  }
  return { advantages, returns };
}

/** A fixed-size store of the steps of one rollout, filled in order and cleared after each update. */
export class RolloutBuffer {
  readonly observations: Observation[] = [];
  readonly nextObservations: Observation[] = [];
  readonly actions: (readonly number[])[] = [];
  readonly rewards: Float64Array;
  readonly values: Float64Array;
  readonly logProbs: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RolloutBuffer capacity must be a positive integer, got ${capacity}`);
    }
    this.rewards = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.logProbs = new Float64Array(capacity);
    this.terminated = new Uint8Array(capacity);
    this.truncated = new Uint8Array(capacity);
  }

  get size(): number {
    return this.observations.length;
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  add(step: RolloutStep): void {
    if (this.full)
      throw new Error(`RolloutBuffer is full (${this.capacity} steps); clear() it after the update`);
    const t = this.size;
    this.observations.push(step.observation);
    this.nextObservations.push(step.nextObservation);
    this.actions.push(step.action);
    this.rewards[t] = step.reward;
    this.values[t] = step.value;
    this.logProbs[t] = step.logProb;
    this.terminated[t] = step.terminated ? 1 : 0;
    this.truncated[t] = step.truncated ? 1 : 0;
  }

  /** GAE(λ) advantages and returns of the steps so far, given V of each step's next observation. */
  advantages(nextValues: ArrayLike<number>, gamma: number, lambda: number) {
    const n = this.size;
    return computeGae({
      rewards: this.rewards.subarray(0, n),
      values: this.values.subarray(0, n),
      nextValues,
      terminated: this.terminated.subarray(0, n),
      truncated: this.truncated.subarray(0, n),
      gamma,
      lambda,
    });
  }

  clear(): void {
    this.observations.length = 0;
    this.nextObservations.length = 0;
    this.actions.length = 0;
  }
}
