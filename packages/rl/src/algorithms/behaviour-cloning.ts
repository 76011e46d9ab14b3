// Behaviour cloning: supervised imitation of a dataset's actions, an MLP classifier from the
// (normalised) state to the logged action, trained by cross-entropy. The offline baseline.
import { type Checkpoint, CheckpointSchema, type RLAlgorithm } from "../core/algorithm.js";
import { Random } from "../core/random.js";
import type { Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { Mlp } from "../nn/mlp.js";
import { indexDataset, observationStatistics, type Trajectory } from "../offline/trajectories.js";

export interface BehaviourCloningOptions {
  seed: number;
  /** The offline dataset `train()` steps on; or give it later to `fit`. */
  dataset?: readonly Trajectory[];
  /** Hidden layer widths (default [64, 64]). */
  hidden?: readonly number[];
  batchSize?: number;
  learningRate?: number;
}

/** Saved tensors are keyed under this prefix; each instance's variables get a unique one (tfjs needs unique names). */
const SAVED_PREFIX = "policy";
let instances = 0;

/**
 * An MLP policy trained to predict a dataset's actions from its observations (Box → Discrete).
 *
 * @example
 * const bc = new BehaviourCloning(env.observationSpace, env.actionSpace, { seed: 1 });
 * bc.fit(createMixedCartPoleDataset({ seed: 1 }), { steps: 2000 });
 * const action = bc.act(observation);
 */
export class BehaviourCloning implements RLAlgorithm<readonly number[], number> {
  readonly name = "behaviour-cloning";
  readonly hyperparameters;
  private readonly stateSize: number;
  private readonly actionCount: number;
  private readonly random: Random;
  private readonly policy: Mlp;
  private readonly optimizer: tf.AdamOptimizer;
  private observations: Float32Array | undefined;
  private actions: Int32Array | undefined;
  private stateMean: number[];
  private stateStd: number[];
  private gradientSteps = 0;

  constructor(observationSpace: Space, actionSpace: Space, options: BehaviourCloningOptions) {
    if (
      observationSpace.kind !== "box" ||
      observationSpace.shape.length !== 1 ||
      actionSpace.kind !== "discrete"
    ) {
      throw new Error(
        `Behaviour cloning needs a one-dimensional Box observation space and a Discrete action space, got ${observationSpace.kind} and ${actionSpace.kind}`,
      );
    }
    this.stateSize = observationSpace.shape[0]!;
    this.actionCount = actionSpace.n;
    this.hyperparameters = {
      hidden: [...(options.hidden ?? [64, 64])],
      batch_size: options.batchSize ?? 256,
      learning_rate: options.learningRate ?? 1e-3,
      seed: options.seed,
    };
    this.random = new Random(options.seed);
    instances += 1;
    this.policy = new Mlp(
      `behaviour-cloning-${instances}`,
      [this.stateSize, ...this.hyperparameters.hidden, this.actionCount],
      this.random.fork(),
    );
    this.optimizer = tf.train.adam(this.hyperparameters.learning_rate);
    this.stateMean = new Array<number>(this.stateSize).fill(0);
    this.stateStd = new Array<number>(this.stateSize).fill(1);
    if (options.dataset) this.setDataset(options.dataset);
  }

  /** Trains on `dataset` (it becomes the one `train()` uses) for `steps` gradient steps. */
  fit(dataset: readonly Trajectory[], options: { steps: number }): { loss: number } {
    this.setDataset(dataset);
    let loss = Number.NaN;
    for (let step = 0; step < options.steps; step++) loss = this.train()!.loss!;
    return { loss };
  }

  act(observation: readonly number[], options: { explore?: boolean } = {}): number {
    const logits = tf.tidy(() => this.logits(Float32Array.from(observation), 1));
    const values = Array.from(logits.dataSync());
    logits.dispose();
    if (!options.explore) return values.indexOf(Math.max(...values));
    const top = Math.max(...values);
    return this.random.categorical(values.map((value) => Math.exp(value - top)));
  }

  /** Offline: experience is not learned from. */
  observe(): void {}

  /** One gradient step on a uniformly drawn batch of (observation, action) pairs; undefined without a dataset. */
  train() {
    const { observations, actions } = this;
    if (!observations || !actions) return undefined;
    const { batch_size: size } = this.hyperparameters;
    const batchObservations = new Float32Array(size * this.stateSize);
    const batchActions = new Int32Array(size);
    for (let row = 0; row < size; row++) {
      const index = this.random.int(actions.length);
      batchObservations.set(
        observations.subarray(index * this.stateSize, (index + 1) * this.stateSize),
        row * this.stateSize,
      );
      batchActions[row] = actions[index]!;
    }
    const loss = this.optimizer.minimize(
      () => {
        const logits = this.logits(batchObservations, size);
        const targets = tf.oneHot(tf.tensor1d(batchActions, "int32"), this.actionCount);
        return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
      },
      true,
      this.policy.variables(),
    )!;
    this.gradientSteps += 1;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return { loss: value };
  }

  save(): Checkpoint {
    const own = this.policy.toTensors();
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: this.hyperparameters,
      tensors: {
        ...Object.fromEntries(Object.entries(own).map(([name, tensor]) => [this.savedKey(name), tensor])),
        "normalisation.state_mean": { shape: [this.stateSize], values: [...this.stateMean] },
        "normalisation.state_std": { shape: [this.stateSize], values: [...this.stateStd] },
      },
      state: { gradient_steps: this.gradientSteps },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    const mean = parsed.tensors["normalisation.state_mean"];
    const std = parsed.tensors["normalisation.state_std"];
    if (mean?.values.length !== this.stateSize || std?.values.length !== this.stateSize) {
      throw new Error(`Checkpoint's state normalisation must have ${this.stateSize} values per statistic`);
    }
    const renamed = Object.fromEntries(
      this.policy
        .variables()
        .map((variable) => [variable.name, parsed.tensors[this.savedKey(variable.name)]]),
    );
    for (const [name, tensor] of Object.entries(renamed)) {
      if (!tensor)
        throw new Error(`Checkpoint has no tensor "${this.savedKey(name)}" for behaviour cloning's policy`);
    }
    tf.tidy(() => this.policy.loadTensors(renamed as Checkpoint["tensors"]));
    this.stateMean = [...mean.values];
    this.stateStd = [...std.values];
    this.gradientSteps = typeof parsed.state.gradient_steps === "number" ? parsed.state.gradient_steps : 0;
  }

  dispose(): void {
    this.policy.dispose();
    this.optimizer.dispose();
  }

  private savedKey(variableName: string): string {
    return `${SAVED_PREFIX}/${variableName.slice(this.policy.name.length + 1)}`;
  }

  private logits(observations: Float32Array, size: number): tf.Tensor2D {
    return tf.tidy(() => {
      const raw = tf.tensor2d(observations, [size, this.stateSize]);
      return this.policy.apply(
        tf.div(tf.sub(raw, tf.tensor1d(this.stateMean)), tf.tensor1d(this.stateStd)) as tf.Tensor2D,
      );
    });
  }

  private setDataset(dataset: readonly Trajectory[]): void {
    const indexed = indexDataset(dataset, this.stateSize, this.actionCount);
    const observations = new Float32Array(indexed.steps * this.stateSize);
    const actions = new Int32Array(indexed.steps);
    let index = 0;
    for (const episode of indexed.episodes) {
      episode.actions.forEach((action, t) => {
        observations.set(episode.observations[t]!, index * this.stateSize);
        actions[index] = action;
        index += 1;
      });
    }
    this.observations = observations;
    this.actions = actions;
    if (this.gradientSteps === 0)
      ({ mean: this.stateMean, std: this.stateStd } = observationStatistics(dataset));
  }
}
