// Soft Actor-Critic for Box actions (Haarnoja et al. 2018, with the automatic temperature of
// "SAC: Algorithms and Applications"): a tanh-squashed Gaussian actor, twin Q critics with
// Polyak-averaged targets, and α tuned so the policy's entropy stays near −dim(A).

import { ReplayBuffer } from "../buffers/replay-buffer.js";
import type { Checkpoint, RLAlgorithm, TrainStats, Transition } from "../core/algorithm.js";
import { Random } from "../core/random.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { forwardRelu } from "../nn/fast-mlp.js";
import { Mlp } from "../nn/mlp.js";
import { gaussianParameters, LOG_STD_MAX, LOG_STD_MIN, squashedSample } from "../nn/squashed-gaussian.js";
import {
  BoxScaling,
  batchTensors,
  loadNetworks,
  networksToTensors,
  normalTensor,
  parseCheckpoint,
  requireBox,
  scalarTensor,
  stateCounter,
  variableScope,
} from "./off-policy.js";

export interface SacOptions {
  seed: number;
  /** Adam's step size for actor, critics and temperature (default 3e-4). */
  learningRate?: number;
  bufferSize?: number;
  /** Uniformly random actions, and no updates, for this many first steps (default 100). */
  learningStarts?: number;
  batchSize?: number;
  /** Polyak coefficient of the target critics (default 0.005). */
  tau?: number;
  gamma?: number;
  /** Update every this many environment steps … */
  trainFrequency?: number;
  /** … taking this many gradient steps each time. */
  gradientSteps?: number;
  /** Hidden layer sizes of the actor and of each critic (default [256, 256]). */
  hiddenSizes?: readonly number[];
  /** The temperature α at the start (default 1). */
  initialAlpha?: number;
  /** The entropy α is tuned towards (default −dim(A)). */
  targetEntropy?: number;
}

/**
 * Soft Actor-Critic over a bounded Box action space; actions are rescaled from (-1, 1) to its bounds.
 *
 * @example
 * const env = createPendulum();
 * const sac = new Sac(env.observationSpace, env.actionSpace, { seed: 1, learningRate: 1e-3 });
 * train(sac, env, { steps: 20_000, seed: 1 });
 */
export class Sac implements RLAlgorithm<number | readonly number[], number[]> {
  readonly name = "sac";
  readonly hyperparameters;
  private readonly scope = variableScope("sac");
  private readonly random: Random;
  private readonly buffer: ReplayBuffer<number | readonly number[], number[]>;
  private readonly scaling: BoxScaling;
  private readonly observationSize: number;
  private readonly actor: Mlp;
  private readonly q1: Mlp;
  private readonly q2: Mlp;
  private readonly q1Target: Mlp;
  private readonly q2Target: Mlp;
  private readonly logAlpha: tf.Variable;
  private readonly actorOptimizer: tf.AdamOptimizer;
  private readonly criticOptimizer: tf.AdamOptimizer;
  private readonly alphaOptimizer: tf.AdamOptimizer;
  private steps = 0;
  private updates = 0;

  constructor(
    private readonly observationSpace: Space,
    actionSpace: Space,
    options: SacOptions,
  ) {
    const box = requireBox(actionSpace, "SAC", "use SacDiscrete for Discrete actions");
    this.scaling = new BoxScaling(box, "SAC");
    const actionSize = this.scaling.size;
    this.hyperparameters = {
      learning_rate: options.learningRate ?? 3e-4,
      buffer_size: options.bufferSize ?? 1_000_000,
      learning_starts: options.learningStarts ?? 100,
      batch_size: options.batchSize ?? 256,
      tau: options.tau ?? 0.005,
      gamma: options.gamma ?? 0.99,
      train_frequency: options.trainFrequency ?? 1,
      gradient_steps: options.gradientSteps ?? 1,
      hidden_sizes: [...(options.hiddenSizes ?? [256, 256])],
      initial_alpha: options.initialAlpha ?? 1,
      target_entropy: options.targetEntropy ?? -actionSize,
      seed: options.seed,
    };
    const h = this.hyperparameters;
    this.random = new Random(options.seed);
    this.observationSize = flatSize(observationSpace);
    this.buffer = new ReplayBuffer(h.buffer_size, observationSpace, actionSpace, h.gamma);
    const critic = [this.observationSize + actionSize, ...h.hidden_sizes, 1];
    this.actor = new Mlp(
      `${this.scope}/actor`,
      [this.observationSize, ...h.hidden_sizes, 2 * actionSize],
      this.random,
    );
    this.q1 = new Mlp(`${this.scope}/q1`, critic, this.random);
    this.q2 = new Mlp(`${this.scope}/q2`, critic, this.random);
    this.q1Target = new Mlp(`${this.scope}/q1_target`, critic, this.random);
    this.q2Target = new Mlp(`${this.scope}/q2_target`, critic, this.random);
    this.q1Target.updateFrom(this.q1);
    this.q2Target.updateFrom(this.q2);
    this.logAlpha = tf.variable(tf.scalar(Math.log(h.initial_alpha)), true, `${this.scope}/log_alpha`);
    this.actorOptimizer = tf.train.adam(h.learning_rate);
    this.criticOptimizer = tf.train.adam(h.learning_rate);
    this.alphaOptimizer = tf.train.adam(h.learning_rate);
  }

  /** The temperature α. */
  get alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0]!);
  }

  act(observation: number | readonly number[], options: { explore?: boolean } = {}): number[] {
    const size = this.scaling.size;
    if (options.explore && this.steps < this.hyperparameters.learning_starts) {
      return this.scaling.toBox(Array.from({ length: size }, () => this.random.uniform(-1, 1)));
    }
    const output = tf.tidy(() =>
      forwardRelu(this.actor, observationBatch(this.observationSpace, [observation])).dataSync(),
    );
    const unit = Array.from({ length: size }, (_, i) => {
      if (!options.explore) return Math.tanh(output[i]!);
      const std = Math.exp(Math.min(LOG_STD_MAX, Math.max(LOG_STD_MIN, output[size + i]!)));
      return Math.tanh(output[i]! + std * this.random.normal());
    });
    return this.scaling.toBox(unit);
  }

  observe(transition: Transition<number | readonly number[], number[]>): void {
    this.buffer.add(transition);
    this.steps += 1;
  }

  train(): TrainStats | undefined {
    const h = this.hyperparameters;
    if (this.steps < h.learning_starts || this.steps % h.train_frequency !== 0) return undefined;
    let stats: TrainStats | undefined;
    for (let i = 0; i < h.gradient_steps; i++) stats = this.update();
    return stats;
  }

  private update(): TrainStats {
    const h = this.hyperparameters;
    const batch = this.buffer.sample(h.batch_size, this.random);
    const stats = tf.tidy(() => {
      const t = batchTensors(batch, this.observationSize, this.scaling.size);
      const actions = this.scaling.toUnitTensor(batch.actions, batch.size);
      const alpha = tf.exp(this.logAlpha);
      const target = tf.tidy(() => {
        const next = squashedSample(
          forwardRelu(this.actor, t.nextObservations),
          normalTensor(this.random, batch.size, this.scaling.size),
        );
        const nextInput = tf.concat([t.nextObservations, next.action], 1);
        const nextQ = tf.minimum(
          forwardRelu(this.q1Target, nextInput),
          forwardRelu(this.q2Target, nextInput),
        );
        return tf.add(t.rewards, tf.mul(t.bootstrap, tf.sub(nextQ, tf.mul(alpha, next.logProb))));
      });
      const input = tf.concat([t.observations, actions], 1);
      const criticLoss = this.criticOptimizer.minimize(
        () =>
          tf.mul(
            tf.add(
              tf.losses.meanSquaredError(target, forwardRelu(this.q1, input)),
              tf.losses.meanSquaredError(target, forwardRelu(this.q2, input)),
            ),
            0.5,
          ) as tf.Scalar,
        true,
        [...this.q1.variables(), ...this.q2.variables()],
      )!;
      const noise = normalTensor(this.random, batch.size, this.scaling.size);
      let meanLogProb = 0;
      const actorLoss = this.actorOptimizer.minimize(
        () => {
          const sample = squashedSample(forwardRelu(this.actor, t.observations), noise);
          const policyInput = tf.concat([t.observations, sample.action], 1);
          const q = tf.minimum(forwardRelu(this.q1, policyInput), forwardRelu(this.q2, policyInput));
          const logProb = tf.mean(sample.logProb);
          meanLogProb = logProb.dataSync()[0]!;
          return tf.sub(tf.mul(alpha, logProb), tf.mean(q)) as tf.Scalar;
        },
        true,
        this.actor.variables(),
      )!;
      // α's loss −log α·(E[log π] + target entropy), with log π held fixed.
      this.alphaOptimizer.minimize(
        () => tf.mul(this.logAlpha, -(meanLogProb + h.target_entropy)) as tf.Scalar,
        false,
        [this.logAlpha],
      );
      return {
        critic_loss: criticLoss.dataSync()[0]!,
        actor_loss: actorLoss.dataSync()[0]!,
        entropy: -meanLogProb,
      };
    });
    this.q1Target.updateFrom(this.q1, h.tau);
    this.q2Target.updateFrom(this.q2, h.tau);
    this.updates += 1;
    return { ...stats, alpha: this.alpha };
  }

  /** The policy's mean and standard deviation before the tanh squash, for one observation. */
  policyParameters(observation: number | readonly number[]): { mean: number[]; std: number[] } {
    return tf.tidy(() => {
      const output = forwardRelu(this.actor, observationBatch(this.observationSpace, [observation]));
      const { mean, logStd } = gaussianParameters(output);
      return { mean: Array.from(mean.dataSync()), std: Array.from(tf.exp(logStd).dataSync()) };
    });
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: this.hyperparameters,
      tensors: {
        ...networksToTensors(this.scope, this.networks()),
        log_alpha: { shape: [], values: Array.from(this.logAlpha.dataSync()) },
      },
      state: { steps: this.steps, updates: this.updates },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = parseCheckpoint(checkpoint, this.name);
    const logAlpha = scalarTensor(parsed.tensors, "log_alpha", this.name);
    const steps = stateCounter(parsed.state, "steps", this.name);
    const updates = stateCounter(parsed.state, "updates", this.name);
    loadNetworks(this.scope, this.networks(), parsed.tensors, this.name);
    tf.tidy(() => this.logAlpha.assign(tf.scalar(logAlpha)));
    this.steps = steps;
    this.updates = updates;
  }

  dispose(): void {
    for (const network of Object.values(this.networks())) network.dispose();
    this.logAlpha.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
    this.alphaOptimizer.dispose();
  }

  private networks() {
    return {
      actor: this.actor,
      q1: this.q1,
      q2: this.q2,
      q1_target: this.q1Target,
      q2_target: this.q2Target,
    };
  }
}
