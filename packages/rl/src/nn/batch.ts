// Turning observations into network inputs.
import type { Observation } from "../core/env.js";
import type { Space } from "../core/spaces.js";
import { tf } from "./backend.js";

/** A [batch, features] tensor of observations: vectors as they are, Discrete indices one-hot. */
export function observationBatch(space: Space, observations: readonly Observation[]): tf.Tensor2D {
  if (space.kind === "discrete") {
    const values = new Float32Array(observations.length * space.n);
    observations.forEach((observation, row) => {
      values[row * space.n + (observation as number)] = 1;
    });
    return tf.tensor2d(values, [observations.length, space.n]);
  }
  const width = space.low.length;
  const values = new Float32Array(observations.length * width);
  observations.forEach((observation, row) => {
    values.set(observation as readonly number[], row * width);
  });
  return tf.tensor2d(values, [observations.length, width]);
}
