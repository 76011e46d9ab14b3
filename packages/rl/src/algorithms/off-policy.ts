// What SAC, discrete SAC and TD3 share: replay batches as tensors, Box actions rescaled to and
// from (-1, 1), seeded Gaussian noise, and checkpoints of several named networks.

import type { ReplayBatch } from "../buffers/replay-buffer.js";
import { type Checkpoint, CheckpointSchema } from "../core/algorithm.js";
import type { Random } from "../core/random.js";
import type { BoxSpace, Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import type { Mlp } from "../nn/mlp.js";

let instances = 0;

/**
 * A prefix unique in this process for one algorithm instance's variables: tfjs refuses two
 * variables of one name, and two agents (a run and its reloaded copy) live side by side.
 */
export function variableScope(algorithm: string): string {
  instances += 1;
  return `${algorithm}#${instances}`;
}

/** A replay batch as tensors: observations [B, obs], actions [B, act], the rest [B, 1]. */
export interface BatchTensors {
  observations: tf.Tensor2D;
  actions: tf.Tensor2D;
  rewards: tf.Tensor2D;
  nextObservations: tf.Tensor2D;
  /** discount · (1 − done): the weight of the bootstrapped value (0 past a terminal state). */
  bootstrap: tf.Tensor2D;
}

/** The batch's columns as tensors (call inside tf.tidy). */
export function batchTensors(batch: ReplayBatch, observationSize: number, actionSize: number): BatchTensors {
  const bootstrap = new Float32Array(batch.size);
  for (let i = 0; i < batch.size; i++) bootstrap[i] = batch.discounts[i]! * (1 - batch.dones[i]!);
  return {
    observations: tf.tensor2d(batch.observations, [batch.size, observationSize]),
    actions: tf.tensor2d(batch.actions, [batch.size, actionSize]),
    rewards: tf.tensor2d(batch.rewards, [batch.size, 1]),
    nextObservations: tf.tensor2d(batch.nextObservations, [batch.size, observationSize]),
    bootstrap: tf.tensor2d(bootstrap, [batch.size, 1]),
  };
}

/** A [rows, columns] tensor of standard-normal draws from `random`. */
export function normalTensor(random: Random, rows: number, columns: number, std = 1): tf.Tensor2D {
  const values = new Float32Array(rows * columns);
  for (let i = 0; i < values.length; i++) values[i] = random.normal(0, std);
  return tf.tensor2d(values, [rows, columns]);
}

/** Maps actions between a bounded Box and (-1, 1)ⁿ, where the policies act. */
export class BoxScaling {
  readonly size: number;
  private readonly low: readonly number[];
  private readonly high: readonly number[];

  constructor(space: BoxSpace, algorithm: string) {
    if (!space.low.every(Number.isFinite) || !space.high.every(Number.isFinite)) {
      throw new Error(
        `${algorithm} needs a bounded Box action space, got low ${space.low} and high ${space.high}`,
      );
    }
    this.low = space.low;
    this.high = space.high;
    this.size = space.low.length;
  }

  /** An action in the Box from one in [-1, 1]ⁿ. */
  toBox(unit: ArrayLike<number>): number[] {
    return this.low.map((low, i) => {
      const clipped = Math.min(1, Math.max(-1, unit[i]!));
      return low + 0.5 * (clipped + 1) * (this.high[i]! - low);
    });
  }

  /** Box actions, flat rows as a replay batch holds them, as a [batch, n] tensor in [-1, 1]. */
  toUnitTensor(actions: Float32Array, batchSize: number): tf.Tensor2D {
    const unit = new Float32Array(actions.length);
    for (let i = 0; i < actions.length; i++) {
      const d = i % this.size;
      unit[i] = (2 * (actions[i]! - this.low[d]!)) / (this.high[d]! - this.low[d]!) - 1;
    }
    return tf.tensor2d(unit, [batchSize, this.size]);
  }
}

/** The Box action space, or an error naming what the algorithm needs. */
export function requireBox(space: Space, algorithm: string, hint: string): BoxSpace {
  if (space.kind !== "box")
    throw new Error(`${algorithm} needs a Box action space, got Discrete(${space.n}); ${hint}`);
  return space;
}

/** The parsed checkpoint, or an error if it is malformed or of another algorithm. */
export function parseCheckpoint(checkpoint: unknown, algorithm: string): Checkpoint {
  const parsed = CheckpointSchema.safeParse(checkpoint);
  if (!parsed.success) throw new Error(`Not a ${algorithm} checkpoint: ${parsed.error.message}`);
  if (parsed.data.algorithm !== algorithm) {
    throw new Error(`Checkpoint is for ${parsed.data.algorithm}, not ${algorithm}`);
  }
  return parsed.data;
}

/** Networks keyed by role ("actor", "q1" …), named `${scope}/${role}`. */
export type Networks = Record<string, Mlp>;

/** Every network's weights, keyed `${role}/w0`, `${role}/b0` … (without the instance's scope). */
export function networksToTensors(scope: string, networks: Networks): Checkpoint["tensors"] {
  const tensors: Checkpoint["tensors"] = {};
  for (const network of Object.values(networks)) {
    for (const [name, tensor] of Object.entries(network.toTensors()))
      tensors[name.slice(scope.length + 1)] = tensor;
  }
  return tensors;
}

/** Loads weights saved by `networksToTensors`, checking every name and shape before changing anything. */
export function loadNetworks(
  scope: string,
  networks: Networks,
  tensors: Checkpoint["tensors"],
  algorithm: string,
): void {
  const scoped: Checkpoint["tensors"] = {};
  for (const network of Object.values(networks)) {
    for (const variable of network.variables()) {
      const key = variable.name.slice(scope.length + 1);
      const saved = tensors[key];
      if (!saved) throw new Error(`${algorithm} checkpoint has no tensor "${key}"`);
      if (saved.shape.join("x") !== variable.shape.join("x")) {
        throw new Error(
          `${algorithm} checkpoint tensor "${key}" has shape [${saved.shape}], this agent's is [${variable.shape}] (other spaces or hidden sizes)`,
        );
      }
      scoped[variable.name] = saved;
    }
  }
  // Mlp.loadTensors assigns fresh tensors; the tidy frees them once the variables hold the values.
  tf.tidy(() => {
    for (const network of Object.values(networks)) network.loadTensors(scoped);
  });
}

/** A whole non-negative number from a checkpoint's state, or an error naming the field. */
export function stateCounter(state: Record<string, unknown>, field: string, algorithm: string): number {
  const value = state[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(
      `${algorithm} checkpoint state "${field}" must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The value of a saved scalar tensor, or an error naming it. */
export function scalarTensor(tensors: Checkpoint["tensors"], name: string, algorithm: string): number {
  const values = tensors[name]?.values;
  if (values?.length !== 1 || !Number.isFinite(values[0])) {
    throw new Error(`${algorithm} checkpoint has no finite scalar tensor "${name}"`);
  }
  return values[0]!;
}
