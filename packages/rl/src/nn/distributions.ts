// Action distributions of stochastic policies: a categorical over Discrete actions, a diagonal
// Gaussian with a learned, state-independent log-std over Box actions. Sampling happens in
// JavaScript from one row of the policy network's output, drawn with a seeded Random; log-probs
// and entropies of batches are tensors, so losses built on them are differentiable.
import type { Checkpoint } from "../core/algorithm.js";
import type { Random } from "../core/random.js";
import type { Space } from "../core/spaces.js";
import { tf } from "./backend.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A policy's action distribution, parameterised by the policy network's output. */
export interface ActionDistribution {
  readonly kind: "categorical" | "diagonal-gaussian";
  /** Network outputs per observation: one logit per action, or one mean per action dimension. */
  readonly parameterSize: number;
  /** Numbers per stored action: 1 (the index) for a categorical, the dimension for a Gaussian. */
  readonly actionSize: number;
  /** Trainable variables of the distribution itself (the Gaussian's log-std; none for a categorical). */
  variables(): tf.Variable[];
  /** An action drawn from the distribution of one output row, with its log-probability. */
  sample(parameters: ArrayLike<number>, random: Random): { action: number[]; logProb: number };
  /** The most likely action of one output row (the greedy action). */
  mode(parameters: ArrayLike<number>): number[];
  /** log π(a | s) of each row: `parameters` [batch, parameterSize], `actions` [batch, actionSize] → [batch]. */
  logProb(parameters: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D;
  /** The entropy of each row's distribution, [batch]. */
  entropy(parameters: tf.Tensor2D): tf.Tensor1D;
  toTensors(): Checkpoint["tensors"];
  loadTensors(tensors: Checkpoint["tensors"]): void;
  dispose(): void;
}

/** A categorical distribution over n actions, from unnormalised logits. */
export class Categorical implements ActionDistribution {
  readonly kind = "categorical";
  readonly actionSize = 1;

  constructor(readonly parameterSize: number) {
    if (!Number.isInteger(parameterSize) || parameterSize < 1) {
      throw new RangeError(`Categorical needs at least one action, got ${parameterSize}`);
    }
  }

  variables(): tf.Variable[] {
    return [];
  }

  sample(logits: ArrayLike<number>, random: Random) {
    const logProbs = logSoftmax(logits);
    const action = random.categorical(logProbs.map(Math.exp));
    return { action: [action], logProb: logProbs[action]! };
  }

  mode(logits: ArrayLike<number>): number[] {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return [best];
  }

  logProb(logits: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const indices = tf.cast(tf.reshape(actions, [-1]), "int32") as tf.Tensor1D;
      const mask = tf.oneHot(indices, this.parameterSize);
      return tf.sum(tf.mul(tf.logSoftmax(logits), mask), 1) as tf.Tensor1D;
    });
  }

  entropy(logits: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const logProbs = tf.logSoftmax(logits);
      return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1)) as tf.Tensor1D;
    });
  }

  toTensors(): Checkpoint["tensors"] {
    return {};
  }

  loadTensors(): void {}

  dispose(): void {}
}

/** A Gaussian with independent dimensions: the means come from the network, the log-stds are one learned vector. */
export class DiagonalGaussian implements ActionDistribution {
  readonly kind = "diagonal-gaussian";
  readonly logStd: tf.Variable;

  /** `name` must be unique among live tfjs variables (it names the log-std variable). */
  constructor(
    readonly name: string,
    readonly parameterSize: number,
    logStdInit = 0,
  ) {
    if (!Number.isInteger(parameterSize) || parameterSize < 1) {
      throw new RangeError(`DiagonalGaussian needs at least one dimension, got ${parameterSize}`);
    }
    this.logStd = tf.variable(tf.fill([parameterSize], logStdInit), true, `${name}/log_std`);
  }

  get actionSize(): number {
    return this.parameterSize;
  }

  variables(): tf.Variable[] {
    return [this.logStd];
  }

  sample(means: ArrayLike<number>, random: Random) {
    const logStd = this.logStd.dataSync();
    const action: number[] = [];
    let logProb = 0;
    for (let i = 0; i < this.parameterSize; i++) {
      const noise = random.normal();
      action.push(means[i]! + Math.exp(logStd[i]!) * noise);
      logProb += -0.5 * noise * noise - logStd[i]! - LOG_SQRT_2PI;
    }
    return { action, logProb };
  }

  mode(means: ArrayLike<number>): number[] {
    return Array.from(means);
  }

  logProb(means: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const z = tf.div(tf.sub(actions, means), tf.exp(this.logStd));
      const perDimension = tf.sub(tf.mul(tf.square(z), -0.5), tf.add(this.logStd, LOG_SQRT_2PI));
      return tf.sum(perDimension, 1) as tf.Tensor1D;
    });
  }

  entropy(means: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const perRow = tf.sum(tf.add(this.logStd, 0.5 + LOG_SQRT_2PI));
      return tf.mul(tf.ones([means.shape[0]]), perRow) as tf.Tensor1D;
    });
  }

  toTensors(): Checkpoint["tensors"] {
    return { log_std: { shape: [this.parameterSize], values: Array.from(this.logStd.dataSync()) } };
  }

  loadTensors(tensors: Checkpoint["tensors"]): void {
    const saved = tensors.log_std;
    if (!saved) throw new Error(`Checkpoint has no tensor "log_std" for the Gaussian policy "${this.name}"`);
    if (saved.shape.length !== 1 || saved.shape[0] !== this.parameterSize) {
      throw new Error(
        `Checkpoint tensor "log_std" has shape [${saved.shape}], the Gaussian policy needs [${this.parameterSize}]`,
      );
    }
    this.logStd.assign(tf.tensor1d(saved.values));
  }

  dispose(): void {
    this.logStd.dispose();
  }
}

/**
 * The distribution a policy over `actionSpace` needs: Categorical for Discrete, DiagonalGaussian for a Box.
 *
 * @example
 * const distribution = createActionDistribution(env.actionSpace, "ppo-1/policy");
 * const { action, logProb } = distribution.sample(networkOutputRow, random);
 */
export function createActionDistribution(
  actionSpace: Space,
  name: string,
  options: { logStdInit?: number } = {},
): ActionDistribution {
  if (actionSpace.kind === "discrete") return new Categorical(actionSpace.n);
  if (actionSpace.shape.length !== 1) {
    throw new Error(`Box action spaces must be one-dimensional, got shape [${actionSpace.shape}]`);
  }
  return new DiagonalGaussian(name, actionSpace.shape[0]!, options.logStdInit ?? 0);
}

function logSoftmax(logits: ArrayLike<number>): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i]! - max);
  const logTotal = max + Math.log(total);
  return Array.from(logits, (logit) => logit - logTotal);
}
