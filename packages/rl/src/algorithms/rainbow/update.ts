// One Rainbow gradient step on a replayed batch: the (double) bootstrap target, the loss
// (cross-entropy to the projected distribution, or Huber on scalar Q), clipped Adam.
import type { ReplayBatch } from "../../buffers/replay-buffer.js";
import { tf } from "../../nn/backend.js";
import { type CategoricalSupport, projectDistribution } from "../../nn/distributional.js";
import type { ClippedAdam } from "./clipped-adam.js";
import type { RainbowNetwork } from "./network.js";

/** What one update works on: the networks, their optimizer, and the switches that shape the target. */
export interface UpdateContext {
  online: RainbowNetwork;
  target: RainbowNetwork;
  optimizer: ClippedAdam;
  observationSize: number;
  actions: number;
  /** The return distribution's support, or undefined for scalar Q-values. */
  support: CategoricalSupport | undefined;
  double: boolean;
}

/** The figures of one update. */
export interface UpdateResult {
  loss: number;
  gradNorm: number;
  /** Each sample's loss (cross-entropy, or |TD error|): its new replay priority. */
  sampleLosses: Float32Array;
}

/** Expected values Σ_i p_i z_i of [batch, actions, atoms] logits, or the logits themselves when scalar. */
export function qValues(logits: tf.Tensor3D, support: CategoricalSupport | undefined): tf.Tensor2D {
  return tf.tidy(() => {
    if (!support) return tf.squeeze(logits, [2]) as tf.Tensor2D;
    return tf.sum(tf.mul(tf.softmax(logits), tf.tensor1d(support.values)), 2) as tf.Tensor2D;
  });
}

/** Trains `context.online` one step on `batch`, weighting each sample by its importance weight. */
export function updateStep(context: UpdateContext, batch: ReplayBatch): UpdateResult {
  const { online, optimizer, observationSize, actions, support } = context;
  const targets = bootstrapTargets(context, batch);
  const atoms = support?.atoms ?? 1;
  const inputs = tf.tidy(() => ({
    observations: tf.tensor2d(batch.observations, [batch.size, observationSize]),
    actionMask: tf.oneHot(tf.tensor1d(batch.actions, "int32"), actions).expandDims(2),
    weights: tf.tensor1d(batch.weights),
    target: tf.tensor2d(targets, [batch.size, atoms]),
  }));
  let sampleLosses: tf.Tensor | undefined;
  const figures = optimizer.minimize(() => {
    const chosen = tf.sum(tf.mul(online.logits(inputs.observations, { noise: true }), inputs.actionMask), 1);
    let losses: tf.Tensor;
    if (support) {
      losses = tf.neg(tf.sum(tf.mul(inputs.target, tf.logSoftmax(chosen)), 1));
      sampleLosses = tf.keep(losses);
    } else {
      const errors = tf.reshape(tf.sub(chosen, inputs.target), [-1]);
      losses = huber(errors);
      sampleLosses = tf.keep(tf.abs(errors));
    }
    return tf.mean(tf.mul(losses, inputs.weights));
  });
  const result = { ...figures, sampleLosses: new Float32Array(sampleLosses!.dataSync()) };
  sampleLosses!.dispose();
  tf.dispose(inputs);
  return result;
}

/**
 * The bootstrap target of each sample: the projected distribution of r + γ^n·Z(s', a*), or the
 * scalar r + γ^n·Q(s', a*), where a* is argmax of the online network (double) or the target's.
 */
function bootstrapTargets(context: UpdateContext, batch: ReplayBatch): Float32Array {
  const { online, target, observationSize, actions, support } = context;
  const chosenNext = tf.tidy(() => {
    const next = tf.tensor2d(batch.nextObservations, [batch.size, observationSize]);
    const targetLogits = target.logits(next, { noise: true });
    const selector = context.double ? online.logits(next, { noise: true }) : targetLogits;
    const best = tf.argMax(qValues(selector, support), 1) as tf.Tensor1D;
    const mask = tf.oneHot(best, actions).expandDims(2);
    const bootstrap = support ? tf.softmax(targetLogits) : targetLogits;
    return tf.sum(tf.mul(bootstrap, mask), 1);
  });
  const values = new Float32Array(chosenNext.dataSync());
  chosenNext.dispose();
  if (support) {
    return projectDistribution(support, {
      probabilities: values,
      rewards: batch.rewards,
      discounts: batch.discounts,
      dones: batch.dones,
    });
  }
  return values.map(
    (value, row) => batch.rewards[row]! + (1 - batch.dones[row]!) * batch.discounts[row]! * value,
  );
}

/** The Huber loss (δ = 1) of each error. */
function huber(errors: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const absolute = tf.abs(errors);
    const quadratic = tf.minimum(absolute, 1);
    return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(absolute, quadratic));
  });
}
