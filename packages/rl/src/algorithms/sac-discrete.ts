// Soft Actor-Critic for Discrete actions (Christodoulou 2019): a softmax policy, twin critics
// that output Q(s, ·) for every action, and every expectation over actions taken exactly
// (Σₐ π(a|s)·…) instead of sampled; α is tuned towards a fraction of the maximum entropy log |A|.

import { ReplayBuffer } from "../buffers/replay-buffer.js";
import type { Checkpoint, RLAlgorithm, TrainStats, Transition } from "../core/algorithm.js";
import { Random } from "../core/random.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { forwardRelu } from "../nn/fast-mlp.js";
import { Mlp } from "../nn/mlp.js";
import {
  batchTensors,
  loadNetworks,
  networksToTensors,
  parseCheckpoint,
  scalarTensor,
  stateCounter,
  variableScope,
} from "./off-policy.js";

export interface SacDiscreteOptions {
  seed: number;
  /** Adam's step size for actor, critics and temperature (default 3e-4). */
  learningRate?: number;
  bufferSize?: number;
  /** Uniformly random actions, and no updates, for this many first steps (default 1000). */
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
  /** The target entropy as a fraction of log |A| (default 0.89, as CleanRL's). */
  targetEntropyRatio?: number;
}

/**
 * Soft Actor-Critic over a Discrete action space.
 *
 * @example
 * const env = createCartPole();
 * const sac = new SacDiscrete(env.observationSpace, env.actionSpace, { seed: 1 });
 * train(sac, env, { steps: 50_000, seed: 1 });
 */
export class SacDiscrete implements RLAlgorithm<number | readonly number[], number> {
  readonly name = "sac-discrete";
  readonly hyperparameters;
  private readonly scope = variableScope("sac-discrete");
  private readonly random: Random;
  private readonly buffer: ReplayBuffer<number | readonly number[], number>;
  private readonly observationSize: number;
  private readonly actions: number;
  private readonly targetEntropy: number;
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
    options: SacDiscreteOptions,
  ) {
    if (actionSpace.kind !== "discrete") {
      throw new Error(
        `SacDiscrete needs a Discrete action space, got a Box of ${actionSpace.low.length} dimensions; use Sac for Box actions`,
      );
    }
    if (actionSpace.n < 2)
      throw new Error(`SacDiscrete needs at least 2 actions, got Discrete(${actionSpace.n})`);
    this.actions = actionSpace.n;
    this.hyperparameters = {
      learning_rate: options.learningRate ?? 3e-4,
      buffer_size: options.bufferSize ?? 1_000_000,
      learning_starts: options.learningStarts ?? 1000,
      batch_size: options.batchSize ?? 256,
      tau: options.tau ?? 0.005,
      gamma: options.gamma ?? 0.99,
      train_frequency: options.trainFrequency ?? 1,
      gradient_steps: options.gradientSteps ?? 1,
      hidden_sizes: [...(options.hiddenSizes ?? [256, 256])],
      initial_alpha: options.initialAlpha ?? 1,
      target_entropy_ratio: options.targetEntropyRatio ?? 0.89,
      seed: options.seed,
    };
    const h = this.hyperparameters;
    if (!(h.target_entropy_ratio > 0 && h.target_entropy_ratio < 1)) {
      throw new RangeError(`targetEntropyRatio must be in (0, 1), got ${h.target_entropy_ratio}`);
    }
    this.targetEntropy = h.target_entropy_ratio * Math.log(this.actions);
    this.random = new Random(options.seed);
    this.observationSize = flatSize(observationSpace);
    this.buffer = new ReplayBuffer(h.buffer_size, observationSpace, actionSpace, h.gamma);
    const sizes = [this.observationSize, ...h.hidden_sizes, this.actions];
    this.actor = new Mlp(`${this.scope}/actor`, sizes, this.random);
    this.q1 = new Mlp(`${this.scope}/q1`, sizes, this.random);
    this.q2 = new Mlp(`${this.scope}/q2`, sizes, this.random);
    this.q1Target = new Mlp(`${this.scope}/q1_target`, sizes, this.random);
    this.q2Target = new Mlp(`${this.scope}/q2_target`, sizes, this.random);
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

  act(observation: number | readonly number[], options: { explore?: boolean } = {}): number {
    if (options.explore && this.steps < this.hyperparameters.learning_starts)
      return this.random.int(this.actions);
    const probabilities = this.probabilities(observation);
    if (options.explore) return this.random.categorical(probabilities);
    let best = 0;
    for (let a = 1; a < this.actions; a++) if (probabilities[a]! > probabilities[best]!) best = a;
    return best;
  }

  /** π(·|s) for one observation. */
  probabilities(observation: number | readonly number[]): Float32Array {
    return tf.tidy(
      () =>
        tf
          .softmax(forwardRelu(this.actor, observationBatch(this.observationSpace, [observation])))
          .dataSync() as Float32Array,
    );
  }

  observe(transition: Transition<number | readonly number[], number>): void {
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
      const t = batchTensors(batch, this.observationSize, 1);
      const taken = tf.oneHot(tf.cast(tf.squeeze(t.actions, [1]), "int32"), this.actions);
      const alpha = tf.exp(this.logAlpha);
      const target = tf.tidy(() => {
        const logits = forwardRelu(this.actor, t.nextObservations);
        const nextQ = tf.minimum(
          forwardRelu(this.q1Target, t.nextObservations),
          forwardRelu(this.q2Target, t.nextObservations),
        );
        const softValue = tf.sum(
          tf.mul(tf.softmax(logits), tf.sub(nextQ, tf.mul(alpha, tf.logSoftmax(logits)))),
          1,
          true,
        );
        return tf.add(t.rewards, tf.mul(t.bootstrap, softValue));
      });
      const chosen = (q: tf.Tensor2D) => tf.sum(tf.mul(q, taken), 1, true);
      const criticLoss = this.criticOptimizer.minimize(
        () =>
          tf.mul(
            tf.add(
              tf.losses.meanSquaredError(target, chosen(forwardRelu(this.q1, t.observations))),
              tf.losses.meanSquaredError(target, chosen(forwardRelu(this.q2, t.observations))),
            ),
            0.5,
          ) as tf.Scalar,
        true,
        [...this.q1.variables(), ...this.q2.variables()],
      )!;
      const q = tf.minimum(forwardRelu(this.q1, t.observations), forwardRelu(this.q2, t.observations));
      let meanLogProb = 0;
      const actorLoss = this.actorOptimizer.minimize(
        () => {
          const logits = forwardRelu(this.actor, t.observations);
          const probabilities = tf.softmax(logits);
          const logProbabilities = tf.logSoftmax(logits);
          meanLogProb = tf.mean(tf.sum(tf.mul(probabilities, logProbabilities), 1)).dataSync()[0]!;
          return tf.mean(
            tf.sum(tf.mul(probabilities, tf.sub(tf.mul(alpha, logProbabilities), q)), 1),
          ) as tf.Scalar;
        },
        true,
        this.actor.variables(),
      )!;
      // α's loss −log α·(E[log π] + target entropy), with π held fixed.
      this.alphaOptimizer.minimize(
        () => tf.mul(this.logAlpha, -(meanLogProb + this.targetEntropy)) as tf.Scalar,
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
