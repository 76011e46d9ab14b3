// A forward pass through an `Mlp` whose gradient is cheap on the wasm backend. tfjs's own
// gradient of matMul calls matMul with transposeA/transposeB, which the wasm backend runs
// 10–30× slower than an explicit transpose followed by a plain matMul (measured: 256×256×256
// takes ~1.3 ms plain, ~40 ms transposed). The values and gradients are identical.

import { tf } from "./backend.js";
import type { Mlp } from "./mlp.js";

/** x·w, with a gradient built from plain (untransposed) matMuls. */
export const matMulFastGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, weight] = saved as [tf.Tensor2D, tf.Tensor2D];
      const upstream = dy as tf.Tensor2D;
      return [tf.matMul(upstream, tf.transpose(weight)), tf.matMul(tf.transpose(input), upstream)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * The output of `network` (built with ReLU between layers, the default) for a batch of
 * inputs, [batch, outputs]: the same values as `network.apply`, with a fast gradient.
 */
export function forwardRelu(network: Mlp, input: tf.Tensor2D): tf.Tensor2D {
  const variables = network.variables();
  return tf.tidy(() => {
    let x = input;
    for (let layer = 0; layer < variables.length; layer += 2) {
      x = tf.add(matMulFastGrad(x, variables[layer] as tf.Variable<tf.Rank.R2>), variables[layer + 1]!);
      if (layer + 2 < variables.length) x = tf.relu(x);
    }
    return x;
  });
}
