// SAC's policy distribution: a diagonal Gaussian over pre-activations u, squashed by tanh into
// (-1, 1) so every sample is a bounded action. Its log-density carries the change-of-variables
// term: log π(a|s) = log N(u; μ, σ) − Σ log(1 − tanh(u)²).
import { tf } from "./backend.js";

/** The bounds SAC clamps the policy's log-std to (as in the SAC paper's code and Stable-Baselines3). */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A reparameterised sample of a batch: actions in (-1, 1), [batch, dim], and log π, [batch, 1]. */
export interface SquashedSample {
  action: tf.Tensor2D;
  logProb: tf.Tensor2D;
}

/** Splits a policy network's output [batch, 2·dim] into means and clamped log-stds. */
export function gaussianParameters(output: tf.Tensor2D): { mean: tf.Tensor2D; logStd: tf.Tensor2D } {
  return tf.tidy(() => {
    const [mean, rawLogStd] = tf.split(output, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logStd: tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX) };
  });
}

/**
 * a = tanh(μ + σ·ε) for standard-normal `noise` ε of the same shape as μ, differentiable in the
 * network's output (the reparameterisation trick), with its log-probability.
 */
export function squashedSample(output: tf.Tensor2D, noise: tf.Tensor2D): SquashedSample {
  return tf.tidy(() => {
    const { mean, logStd } = gaussianParameters(output);
    const preTanh = tf.add(mean, tf.mul(tf.exp(logStd), noise));
    const gaussianLogProb = tf.sub(tf.mul(tf.square(noise), -0.5), tf.add(logStd, LOG_SQRT_2PI));
    // log(1 − tanh(u)²) = 2·(log 2 − u − softplus(−2u)), stable for large |u|.
    const logDetJacobian = tf.mul(tf.sub(tf.sub(Math.log(2), preTanh), tf.softplus(tf.mul(preTanh, -2))), 2);
    const logProb = tf.sum(tf.sub(gaussianLogProb, logDetJacobian), 1, true) as tf.Tensor2D;
    return { action: tf.tanh(preTanh) as tf.Tensor2D, logProb };
  });
}
