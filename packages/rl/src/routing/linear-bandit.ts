// A contextual bandit: a Bayesian ridge regression of reward on features of (state, arm),
// kept in closed form (Sherman-Morrison updates of A⁻¹). Routing is a one-step decision
// whose reward arrives when the work ends, so a bandit is the right learner: data-efficient,
// and it knows how sure it is, which the router's gates need. With the default encoding
// each arm has its own weights (disjoint LinUCB); `encode` can share weights between arms
// (a role's and a tier's effects learned once each).
import { type Checkpoint, CheckpointSchema, type RLAlgorithm, type Transition } from "../core/algorithm.js";

export interface LinearBanditOptions {
  arms: number;
  features: number;
  /** Ridge prior: A starts as λI. */
  ridge?: number;
  /** UCB bonus in standard deviations when exploring. */
  exploration?: number;
  /** Prior guess of the reward noise's standard deviation. */
  noise?: number;
  /** The model's input for a state and an arm (default: the state in the arm's own block). */
  encoder?: ArmEncoder;
}

/** Maps a state's features and an arm to the regression's input. */
export interface ArmEncoder {
  readonly size: number;
  encode(features: readonly number[], arm: number): number[];
}

/** Each arm its own copy of the weights: [0…0, features, 0…0]. */
export function disjointEncoder(arms: number, features: number): ArmEncoder {
  return {
    size: arms * features,
    encode: (x, arm) => {
      const out = new Array<number>(arms * features).fill(0);
      for (let i = 0; i < features; i++) out[arm * features + i] = x[i]!;
      return out;
    },
  };
}

/** What the bandit believes of one arm at one state. */
export interface ArmEstimate {
  arm: number;
  /** Expected reward. */
  mean: number;
  /** Standard deviation of that expectation. */
  std: number;
  /** Observations behind it near this state (1 / xᵀA⁻¹x, less the prior's share). */
  support: number;
}

export class LinearBandit implements RLAlgorithm<number[], number> {
  readonly name = "linear-bandit";
  readonly hyperparameters;
  private readonly encoder: ArmEncoder;
  private readonly inverse: Float64Array;
  /** Σ r·x and Σ x over every observation. */
  private readonly target: Float64Array;
  private readonly featureSum: Float64Array;
  private readonly counts: number[];
  /** Rewards are regressed around their running mean, so the ridge prior shrinks towards it, not 0. */
  private rewardSum = 0;
  private squaredResiduals = 0;
  private residualCount = 0;
  private pending: Transition<number[], number>[] = [];

  constructor(options: LinearBanditOptions) {
    if (!Number.isInteger(options.arms) || options.arms < 1)
      throw new RangeError(`LinearBandit needs arms >= 1, got ${options.arms}`);
    if (!Number.isInteger(options.features) || options.features < 1) {
      throw new RangeError(`LinearBandit needs features >= 1, got ${options.features}`);
    }
    this.hyperparameters = {
      arms: options.arms,
      features: options.features,
      ridge: options.ridge ?? 1,
      exploration: options.exploration ?? 1,
      noise: options.noise ?? 0.5,
    };
    this.encoder = options.encoder ?? disjointEncoder(options.arms, options.features);
    const d = this.encoder.size;
    this.inverse = new Float64Array(d * d);
    for (let i = 0; i < d; i++) this.inverse[i * d + i] = 1 / this.hyperparameters.ridge;
    this.target = new Float64Array(d);
    this.featureSum = new Float64Array(d);
    this.counts = Array.from({ length: options.arms }, () => 0);
  }

  /** Observations taken per arm. */
  get observations(): readonly number[] {
    return this.counts;
  }

  /** The arm with the best upper confidence bound (`explore`) or the best mean. */
  act(features: number[], options: { explore?: boolean } = {}): number {
    const bonus = options.explore ? this.hyperparameters.exploration : 0;
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    this.estimates(features).forEach((estimate) => {
      const value = estimate.mean + bonus * estimate.std;
      if (value > bestValue) {
        bestValue = value;
        best = estimate.arm;
      }
    });
    return best;
  }

  /** Every arm's estimate at this state. */
  estimates(features: readonly number[]): ArmEstimate[] {
    this.checkFeatures(features);
    const sigma = this.noiseStd();
    const weights = this.weights();
    return this.counts.map((_, arm) => {
      const x = this.encoder.encode(features, arm);
      const spread = dot(x, multiply(this.inverse, x));
      const prior = dot(x, x) / this.hyperparameters.ridge;
      return {
        arm,
        mean: this.baseline() + dot(weights, x),
        std: sigma * Math.sqrt(spread),
        support: Math.max(0, 1 / spread - 1 / prior),
      };
    });
  }

  observe(transition: Transition<number[], number>): void {
    this.checkFeatures(transition.observation);
    if (
      !Number.isInteger(transition.action) ||
      transition.action < 0 ||
      transition.action >= this.counts.length
    ) {
      throw new RangeError(`Arm ${transition.action} is not one of 0..${this.counts.length - 1}`);
    }
    if (!Number.isFinite(transition.reward))
      throw new RangeError(`Reward must be finite, got ${transition.reward}`);
    this.pending.push(transition);
  }

  /** Folds the observed rewards into the arms' posteriors. */
  train() {
    if (this.pending.length === 0) return undefined;
    let absoluteError = 0;
    const inverse = this.inverse;
    const d = this.encoder.size;
    for (const { observation, action: arm, reward } of this.pending) {
      const x = this.encoder.encode(observation, arm);
      const error = reward - this.baseline() - dot(this.weights(), x);
      absoluteError += Math.abs(error);
      this.squaredResiduals += error * error;
      this.residualCount += 1;
      const projected = multiply(inverse, x);
      const denominator = 1 + dot(x, projected);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++)
          inverse[i * d + j] = inverse[i * d + j]! - (projected[i]! * projected[j]!) / denominator;
      }
      this.counts[arm] = this.counts[arm]! + 1;
      this.rewardSum += reward;
      for (let i = 0; i < d; i++) this.target[i] = this.target[i]! + reward * x[i]!;
      for (let i = 0; i < d; i++) this.featureSum[i] = this.featureSum[i]! + x[i]!;
    }
    const stats = {
      updates: this.pending.length,
      mean_abs_error: absoluteError / this.pending.length,
      noise_std: this.noiseStd(),
    };
    this.pending = [];
    return stats;
  }

  save(): Checkpoint {
    const d = this.encoder.size;
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: { ...this.hyperparameters, encoded: d },
      tensors: {
        inverse: { shape: [d, d], values: Array.from(this.inverse) },
        target: { shape: [d], values: Array.from(this.target) },
        feature_sum: { shape: [d], values: Array.from(this.featureSum) },
      },
      state: {
        counts: [...this.counts],
        reward_sum: this.rewardSum,
        squared_residuals: this.squaredResiduals,
        residual_count: this.residualCount,
      },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    const d = this.encoder.size;
    const { inverse, target, feature_sum: featureSum } = parsed.tensors;
    const counts = parsed.state.counts;
    if (
      inverse?.shape.join() !== [d, d].join() ||
      target?.shape.join() !== [d].join() ||
      featureSum?.shape.join() !== [d].join()
    ) {
      throw new Error(`Checkpoint's model has ${target?.shape[0] ?? "?"} inputs; this bandit has ${d}`);
    }
    if (!Array.isArray(counts) || counts.length !== this.counts.length) {
      throw new Error(
        `Checkpoint has ${Array.isArray(counts) ? counts.length : "?"} arms; this bandit has ${this.counts.length}`,
      );
    }
    this.inverse.set(inverse.values);
    this.target.set(target.values);
    this.featureSum.set(featureSum.values);
    counts.forEach((count, arm) => {
      this.counts[arm] = Number(count) || 0;
    });
    this.rewardSum = Number(parsed.state.reward_sum) || 0;
    this.squaredResiduals = Number(parsed.state.squared_residuals) || 0;
    this.residualCount = Number(parsed.state.residual_count) || 0;
  }

  dispose(): void {}

  /** The regression's weights around the mean reward: A⁻¹ Σ (r − mean)·x = A⁻¹ (Σ r·x − mean·Σ x). */
  private weights(): Float64Array {
    const mean = this.baseline();
    return multiply(
      this.inverse,
      this.target.map((value, i) => value - mean * this.featureSum[i]!),
    );
  }

  private baseline(): number {
    return this.residualCount === 0 ? 0 : this.rewardSum / this.residualCount;
  }

  /** The reward noise: the prior guess until there are residuals, then their spread. */
  private noiseStd(): number {
    const priorWeight = 5;
    const prior = this.hyperparameters.noise ** 2 * priorWeight;
    return Math.sqrt((prior + this.squaredResiduals) / (priorWeight + this.residualCount));
  }

  private checkFeatures(features: readonly number[]): void {
    if (features.length !== this.hyperparameters.features || !features.every(Number.isFinite)) {
      throw new RangeError(
        `Expected ${this.hyperparameters.features} finite features, got ${features.length}`,
      );
    }
  }
}

function multiply(matrix: Float64Array, vector: ArrayLike<number>): Float64Array {
  const d = vector.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += matrix[i * d + j]! * vector[j]!;
    out[i] = sum;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
