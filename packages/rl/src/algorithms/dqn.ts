// Deep Q-Networks (Mnih et al. 2015) with double Q-learning (van Hasselt et al. 2016) and an
// optional dueling head: ε-greedy over a Q-network, trained from uniform replay against a
// target network, with Huber loss, Adam and gradient clipping by global norm.

import { type ReplayBatch, ReplayBuffer } from "../buffers/replay-buffer.js";
import { type Checkpoint, CheckpointSchema, type RLAlgorithm, type Transition } from "../core/algorithm.js";
import type { Observation } from "../core/env.js";
import { Random } from "../core/random.js";
import { linear, type Schedule } from "../core/schedules.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { QNetwork } from "../nn/q-network.js";

export interface DqnOptions {
  seed: number;
  /** Adam's step size (default 1e-4). */
  learningRate?: number;
  /** Replay capacity in transitions (default 1e5). */
  bufferSize?: number;
  /** Environment steps of uniformly random actions before the first update (default 1000). */
  learningStarts?: number;
  batchSize?: number;
  gamma?: number;
  /** Target update weight: 1 copies the online network (hard update), below 1 is Polyak averaging. */
  tau?: number;
  /** Environment steps between target updates (default 1000). */
  targetUpdateInterval?: number;
  /** Environment steps between training rounds (default 4). */
  trainFrequency?: number;
  /** Gradient steps in each training round (default 1). */
  gradientSteps?: number;
  /** ε falls linearly from `epsilonStart` to `epsilonEnd` over the first `epsilonSteps` environment steps. */
  epsilonStart?: number;
  epsilonEnd?: number;
  epsilonSteps?: number;
  /** Gradients are scaled down to this global L2 norm when above it (default 10). */
  maxGradNorm?: number;
  hiddenSizes?: readonly number[];
  /** A dueling head: Q = V + A − mean A (default false). */
  dueling?: boolean;
  /** The online network picks the next action, the target network values it (default true). */
  doubleQ?: boolean;
}

/** What a checkpoint carries besides the weights, so training resumes on the same schedule. */
interface Counters {
  envSteps: number;
  gradientUpdates: number;
  lastTrainAt: number;
  lastTargetUpdateAt: number;
}

/**
 * DQN over Box or Discrete observations and a Discrete action space.
 *
 * @example
 * const env = createCartPole();
 * const dqn = new Dqn(env.observationSpace, env.actionSpace, { seed: 1, learningRate: 2.3e-3 });
 * train(dqn, env, { steps: 50_000, seed: 1 });
 */
export class Dqn implements RLAlgorithm<Observation, number> {
  readonly name = "dqn";
  readonly hyperparameters;
  private readonly online: QNetwork;
  private readonly target: QNetwork;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly buffer: ReplayBuffer<Observation, number>;
  private readonly epsilon: Schedule;
  private readonly exploration: Random;
  private readonly replay: Random;
  private readonly actionCount: number;
  private readonly inputSize: number;
  private counters: Counters = { envSteps: 0, gradientUpdates: 0, lastTrainAt: 0, lastTargetUpdateAt: 0 };
  private trainedSinceTargetUpdate = false;

  constructor(
    private readonly observationSpace: Space,
    actionSpace: Space,
    options: DqnOptions,
  ) {
    if (actionSpace.kind !== "discrete") {
      throw new Error(
        `DQN needs a Discrete action space, got a Box of shape [${actionSpace.shape}]; use an actor-critic method (SAC, TD3) for continuous actions`,
      );
    }
    this.hyperparameters = resolveOptions(options);
    const h = this.hyperparameters;
    this.actionCount = actionSpace.n;
    this.inputSize = flatSize(observationSpace);
    const random = new Random(options.seed);
    const networkOptions = { hiddenSizes: h.hidden_sizes, dueling: h.dueling };
    this.online = new QNetwork("online", this.inputSize, this.actionCount, random.fork(), networkOptions);
    this.target = new QNetwork("target", this.inputSize, this.actionCount, random.fork(), networkOptions);
    this.target.updateFrom(this.online);
    this.exploration = random.fork();
    this.replay = random.fork();
    this.optimizer = tf.train.adam(h.learning_rate, 0.9, 0.999, 1e-8);
    this.buffer = new ReplayBuffer(h.buffer_size, observationSpace, actionSpace, h.gamma);
    this.epsilon = linear(h.epsilon_start, h.epsilon_end, h.epsilon_steps);
  }

  /** Environment steps observed so far. */
  get envSteps(): number {
    return this.counters.envSteps;
  }

  act(observation: Observation, options: { explore?: boolean } = {}): number {
    if (options.explore) {
      const warmingUp = this.counters.envSteps < this.hyperparameters.learning_starts;
      if (warmingUp || this.exploration.next() < this.epsilon(this.counters.envSteps))
        return this.exploration.int(this.actionCount);
    }
    return this.greedyActions([observation])[0]!;
  }

  /** The greedy action of each observation. */
  greedyActions(observations: readonly Observation[]): Int32Array {
    const input = observationBatch(this.observationSpace, observations);
    try {
      return this.online.greedyActions(input);
    } finally {
      input.dispose();
    }
  }

  /** Q(s, ·) of the online network for each observation, row by row. */
  qValues(observations: readonly Observation[]): number[][] {
    const q = tf.tidy(() => this.online.apply(observationBatch(this.observationSpace, observations)));
    const rows = q.arraySync();
    q.dispose();
    return rows;
  }

  observe(transition: Transition<Observation, number>): void {
    this.buffer.add(transition);
    this.counters.envSteps += 1;
  }

  train() {
    const h = this.hyperparameters;
    const c = this.counters;
    let stats: Record<string, number> | undefined;
    if (c.envSteps >= h.learning_starts && c.envSteps - c.lastTrainAt >= h.train_frequency) {
      c.lastTrainAt = c.envSteps;
      let loss = 0;
      let gradNorm = 0;
      let meanQ = 0;
      for (let step = 0; step < h.gradient_steps; step++) {
        const result = this.gradientStep(this.buffer.sample(h.batch_size, this.replay));
        loss += result.loss / h.gradient_steps;
        gradNorm += result.gradNorm / h.gradient_steps;
        meanQ += result.meanQ / h.gradient_steps;
      }
      c.gradientUpdates += h.gradient_steps;
      this.trainedSinceTargetUpdate = true;
      stats = { loss, grad_norm: gradNorm, mean_q: meanQ, epsilon: this.epsilon(c.envSteps) };
    }
    if (c.envSteps - c.lastTargetUpdateAt >= h.target_update_interval) {
      c.lastTargetUpdateAt = c.envSteps;
      // A hard copy of unchanged weights would change nothing; Polyak steps always move the target.
      if (h.tau < 1 || this.trainedSinceTargetUpdate) this.target.updateFrom(this.online, h.tau);
      this.trainedSinceTargetUpdate = false;
    }
    return stats;
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: { ...this.hyperparameters, hidden_sizes: [...this.hyperparameters.hidden_sizes] },
      tensors: { ...this.online.toTensors(), ...this.target.toTensors() },
      state: { ...this.counters },
    };
  }

  /** Restores both networks and the counters; Adam's moments and the replay buffer start afresh. */
  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    const saved = parsed.hyperparameters;
    const hidden = this.hyperparameters.hidden_sizes;
    if (saved.dueling !== undefined && saved.dueling !== this.hyperparameters.dueling) {
      throw new Error(
        `Checkpoint's Q-network is ${saved.dueling ? "" : "not "}dueling, this one is ${this.hyperparameters.dueling ? "" : "not "}dueling`,
      );
    }
    if (Array.isArray(saved.hidden_sizes) && saved.hidden_sizes.join(",") !== hidden.join(",")) {
      throw new Error(
        `Checkpoint's hidden layers are [${saved.hidden_sizes}], this network's are [${hidden}]`,
      );
    }
    const counters = parseCounters(parsed.state);
    this.online.checkTensors(parsed.tensors);
    this.target.checkTensors(parsed.tensors);
    this.online.loadTensors(parsed.tensors);
    this.target.loadTensors(parsed.tensors);
    this.counters = counters;
    this.trainedSinceTargetUpdate = false;
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }

  /** One Adam step on the Huber loss of a batch's double-Q targets. */
  private gradientStep(batch: ReplayBatch): { loss: number; gradNorm: number; meanQ: number } {
    const h = this.hyperparameters;
    const figures = tf.tidy(() => {
      const shape: [number, number] = [batch.size, this.inputSize];
      const observations = tf.tensor2d(batch.observations, shape);
      const nextObservations = tf.tensor2d(batch.nextObservations, shape);
      const taken = tf.oneHot(tf.tensor1d(Int32Array.from(batch.actions), "int32"), this.actionCount);
      const nextTarget = this.target.apply(nextObservations);
      const nextActions = tf.argMax(h.double_q ? this.online.apply(nextObservations) : nextTarget, 1);
      const nextValue = tf.sum(tf.mul(nextTarget, tf.oneHot(nextActions, this.actionCount)), 1);
      // dones mark terminal states only: a truncated transition keeps its bootstrap.
      const bootstrap = tf.mul(tf.tensor1d(batch.discounts), tf.sub(1, tf.tensor1d(batch.dones)));
      const targets = tf.add(tf.tensor1d(batch.rewards), tf.mul(bootstrap, nextValue));
      const weights = tf.tensor1d(batch.weights);
      let chosenMean: tf.Scalar | undefined;
      const { value: loss, grads } = tf.variableGrads(() => {
        const chosen = tf.sum(tf.mul(this.online.apply(observations), taken), 1);
        chosenMean = tf.keep(tf.mean(chosen) as tf.Scalar);
        return tf.losses.huberLoss(targets, chosen, weights, 1) as tf.Scalar;
      }, this.online.variables());
      const gradients = Object.values(grads);
      const gradNorm = tf.sqrt(tf.addN(gradients.map((gradient) => tf.sum(tf.square(gradient)))));
      const scale = tf.div(h.max_grad_norm, tf.maximum(gradNorm, h.max_grad_norm));
      this.optimizer.applyGradients(
        Object.entries(grads).map(([name, gradient]) => ({ name, tensor: tf.mul(gradient, scale) })),
      );
      const figures = tf.stack([loss, gradNorm, chosenMean!]);
      chosenMean!.dispose();
      return figures;
    });
    const [loss, gradNorm, meanQ] = figures.dataSync();
    figures.dispose();
    return { loss: loss!, gradNorm: gradNorm!, meanQ: meanQ! };
  }
}

function resolveOptions(options: DqnOptions) {
  const h = {
    learning_rate: options.learningRate ?? 1e-4,
    buffer_size: options.bufferSize ?? 100_000,
    learning_starts: options.learningStarts ?? 1000,
    batch_size: options.batchSize ?? 32,
    gamma: options.gamma ?? 0.99,
    tau: options.tau ?? 1,
    target_update_interval: options.targetUpdateInterval ?? 1000,
    train_frequency: options.trainFrequency ?? 4,
    gradient_steps: options.gradientSteps ?? 1,
    epsilon_start: options.epsilonStart ?? 1,
    epsilon_end: options.epsilonEnd ?? 0.05,
    epsilon_steps: options.epsilonSteps ?? 10_000,
    max_grad_norm: options.maxGradNorm ?? 10,
    hidden_sizes: [...(options.hiddenSizes ?? [64, 64])] as readonly number[],
    dueling: options.dueling ?? false,
    double_q: options.doubleQ ?? true,
    seed: options.seed,
  };
  const positive = ["learning_rate", "max_grad_norm", "epsilon_steps"] as const;
  for (const key of positive)
    if (!(h[key] > 0)) throw new RangeError(`DQN ${key} must be above 0, got ${h[key]}`);
  const counts = [
    "buffer_size",
    "batch_size",
    "target_update_interval",
    "train_frequency",
    "gradient_steps",
  ] as const;
  for (const key of counts)
    if (!Number.isInteger(h[key]) || h[key] <= 0)
      throw new RangeError(`DQN ${key} must be a positive integer, got ${h[key]}`);
  if (!Number.isInteger(h.learning_starts) || h.learning_starts < 0)
    throw new RangeError(`DQN learning_starts must be a non-negative integer, got ${h.learning_starts}`);
  const unit = ["gamma", "epsilon_start", "epsilon_end"] as const;
  for (const key of unit)
    if (!(h[key] >= 0 && h[key] <= 1))
      throw new RangeError(`DQN ${key} must be within [0, 1], got ${h[key]}`);
  if (!(h.tau > 0 && h.tau <= 1)) throw new RangeError(`DQN tau must be within (0, 1], got ${h.tau}`);
  return h;
}

function parseCounters(state: Record<string, unknown>): Counters {
  const value = (key: keyof Counters) => {
    const found = state[key];
    if (typeof found !== "number" || !Number.isInteger(found) || found < 0)
      throw new Error(
        `Checkpoint state "${key}" must be a non-negative integer, got ${JSON.stringify(found)}`,
      );
    return found;
  };
  return {
    envSteps: value("envSteps"),
    gradientUpdates: value("gradientUpdates"),
    lastTrainAt: value("lastTrainAt"),
    lastTargetUpdateAt: value("lastTargetUpdateAt"),
  };
}
