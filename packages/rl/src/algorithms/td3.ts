// Twin Delayed DDPG (Fujimoto et al. 2018): a deterministic tanh actor explored with Gaussian
// noise, twin Q critics whose minimum is the target, clipped noise on the target policy's
// action, and the actor and all targets updated only every `policyDelay` critic updates.

import { ReplayBuffer } from "../buffers/replay-buffer.js";
import type { Checkpoint, RLAlgorithm, TrainStats, Transition } from "../core/algorithm.js";
import { Random } from "../core/random.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { forwardRelu } from "../nn/fast-mlp.js";
import { Mlp } from "../nn/mlp.js";
import {
  BoxScaling,
  batchTensors,
  loadNetworks,
  networksToTensors,
  normalTensor,
  parseCheckpoint,
  requireBox,
  stateCounter,
  variableScope,
} from "./off-policy.js";

export interface Td3Options {
  seed: number;
  /** Adam's step size for actor and critics (default 1e-3). */
  learningRate?: number;
  bufferSize?: number;
  /** Uniformly random actions, and no updates, for this many first steps (default 100). */
  learningStarts?: number;
  batchSize?: number;
  /** Polyak coefficient of the targets (default 0.005). */
  tau?: number;
  gamma?: number;
  /** Update every this many environment steps … */
  trainFrequency?: number;
  /** … taking this many critic gradient steps each time. */
  gradientSteps?: number;
  /** The actor and the targets move once per this many critic updates (default 2). */
  policyDelay?: number;
  /** Std of the Gaussian noise on the target policy's action, in (-1, 1) units (default 0.2) … */
  targetPolicyNoise?: number;
  /** … clipped to ± this (default 0.5). */
  targetNoiseClip?: number;
  /** Std of the Gaussian exploration noise, in (-1, 1) units (default 0.1). */
  explorationNoise?: number;
  /** Hidden layer sizes of the actor and of each critic (default [400, 300]). */
  hiddenSizes?: readonly number[];
}

/**
 * TD3 over a bounded Box action space; actions are rescaled from (-1, 1) to its bounds.
 *
 * @example
 * const env = createPendulum();
 * const td3 = new Td3(env.observationSpace, env.actionSpace, { seed: 1, gamma: 0.98 });
 * train(td3, env, { steps: 20_000, seed: 1 });
 */
export class Td3 implements RLAlgorithm<number | readonly number[], number[]> {
  readonly name = "td3";
  readonly hyperparameters;
  private readonly scope = variableScope("td3");
  private readonly random: Random;
  private readonly buffer: ReplayBuffer<number | readonly number[], number[]>;
  private readonly scaling: BoxScaling;
  private readonly observationSize: number;
  private readonly actor: Mlp;
  private readonly actorTarget: Mlp;
  private readonly q1: Mlp;
  private readonly q2: Mlp;
  private readonly q1Target: Mlp;
  private readonly q2Target: Mlp;
  private readonly actorOptimizer: tf.AdamOptimizer;
  private readonly criticOptimizer: tf.AdamOptimizer;
  private steps = 0;
  private updates = 0;

  constructor(
    private readonly observationSpace: Space,
    actionSpace: Space,
    options: Td3Options,
  ) {
    const box = requireBox(actionSpace, "TD3", "it acts in continuous spaces only (try SacDiscrete or DQN)");
    this.scaling = new BoxScaling(box, "TD3");
    this.hyperparameters = {
      learning_rate: options.learningRate ?? 1e-3,
      buffer_size: options.bufferSize ?? 1_000_000,
      learning_starts: options.learningStarts ?? 100,
      batch_size: options.batchSize ?? 256,
      tau: options.tau ?? 0.005,
      gamma: options.gamma ?? 0.99,
      train_frequency: options.trainFrequency ?? 1,
      gradient_steps: options.gradientSteps ?? 1,
      policy_delay: options.policyDelay ?? 2,
      target_policy_noise: options.targetPolicyNoise ?? 0.2,
      target_noise_clip: options.targetNoiseClip ?? 0.5,
      exploration_noise: options.explorationNoise ?? 0.1,
      hidden_sizes: [...(options.hiddenSizes ?? [400, 300])],
      seed: options.seed,
    };
    const h = this.hyperparameters;
    this.random = new Random(options.seed);
    this.observationSize = flatSize(observationSpace);
    this.buffer = new ReplayBuffer(h.buffer_size, observationSpace, actionSpace, h.gamma);
    const actorSizes = [this.observationSize, ...h.hidden_sizes, this.scaling.size];
    const criticSizes = [this.observationSize + this.scaling.size, ...h.hidden_sizes, 1];
    this.actor = new Mlp(`${this.scope}/actor`, actorSizes, this.random);
    this.actorTarget = new Mlp(`${this.scope}/actor_target`, actorSizes, this.random);
    this.q1 = new Mlp(`${this.scope}/q1`, criticSizes, this.random);
    this.q2 = new Mlp(`${this.scope}/q2`, criticSizes, this.random);
    this.q1Target = new Mlp(`${this.scope}/q1_target`, criticSizes, this.random);
    this.q2Target = new Mlp(`${this.scope}/q2_target`, criticSizes, this.random);
    this.actorTarget.updateFrom(this.actor);
    this.q1Target.updateFrom(this.q1);
    this.q2Target.updateFrom(this.q2);
    this.actorOptimizer = tf.train.adam(h.learning_rate);
    this.criticOptimizer = tf.train.adam(h.learning_rate);
  }

  act(observation: number | readonly number[], options: { explore?: boolean } = {}): number[] {
    const h = this.hyperparameters;
    if (options.explore && this.steps < h.learning_starts) {
      return this.scaling.toBox(Array.from({ length: this.scaling.size }, () => this.random.uniform(-1, 1)));
    }
    const unit = tf.tidy(() =>
      tf.tanh(forwardRelu(this.actor, observationBatch(this.observationSpace, [observation]))).dataSync(),
    );
    if (!options.explore) return this.scaling.toBox(unit);
    return this.scaling.toBox(
      Array.from(unit, (value) => value + this.random.normal(0, h.exploration_noise)),
    );
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
    this.updates += 1;
    const delayed = this.updates % h.policy_delay === 0;
    const stats: TrainStats = tf.tidy(() => {
      const t = batchTensors(batch, this.observationSize, this.scaling.size);
      const actions = this.scaling.toUnitTensor(batch.actions, batch.size);
      const target = tf.tidy(() => {
        const noise = tf.clipByValue(
          normalTensor(this.random, batch.size, this.scaling.size, h.target_policy_noise),
          -h.target_noise_clip,
          h.target_noise_clip,
        );
        const nextAction = tf.clipByValue(
          tf.add(tf.tanh(forwardRelu(this.actorTarget, t.nextObservations)), noise),
          -1,
          1,
        );
        const nextInput = tf.concat2d([t.nextObservations, nextAction as tf.Tensor2D], 1);
        const nextQ = tf.minimum(
          forwardRelu(this.q1Target, nextInput),
          forwardRelu(this.q2Target, nextInput),
        );
        return tf.add(t.rewards, tf.mul(t.bootstrap, nextQ));
      });
      const input = tf.concat([t.observations, actions], 1);
      const criticLoss = this.criticOptimizer.minimize(
        () =>
          tf.add(
            tf.losses.meanSquaredError(target, forwardRelu(this.q1, input)),
            tf.losses.meanSquaredError(target, forwardRelu(this.q2, input)),
          ) as tf.Scalar,
        true,
        [...this.q1.variables(), ...this.q2.variables()],
      )!;
      const result: TrainStats = { critic_loss: criticLoss.dataSync()[0]! };
      if (delayed) {
        const actorLoss = this.actorOptimizer.minimize(
          () => {
            const policyAction = tf.tanh(forwardRelu(this.actor, t.observations));
            return tf.neg(
              tf.mean(forwardRelu(this.q1, tf.concat2d([t.observations, policyAction as tf.Tensor2D], 1))),
            ) as tf.Scalar;
          },
          true,
          this.actor.variables(),
        )!;
        result.actor_loss = actorLoss.dataSync()[0]!;
      }
      return result;
    });
    if (delayed) {
      this.actorTarget.updateFrom(this.actor, h.tau);
      this.q1Target.updateFrom(this.q1, h.tau);
      this.q2Target.updateFrom(this.q2, h.tau);
    }
    return stats;
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: this.hyperparameters,
      tensors: networksToTensors(this.scope, this.networks()),
      state: { steps: this.steps, updates: this.updates },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = parseCheckpoint(checkpoint, this.name);
    const steps = stateCounter(parsed.state, "steps", this.name);
    const updates = stateCounter(parsed.state, "updates", this.name);
    loadNetworks(this.scope, this.networks(), parsed.tensors, this.name);
    this.steps = steps;
    this.updates = updates;
  }

  dispose(): void {
    for (const network of Object.values(this.networks())) network.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  private networks() {
    return {
      actor: this.actor,
      actor_target: this.actorTarget,
      q1: this.q1,
      q2: this.q2,
      q1_target: this.q1Target,
      q2_target: this.q2Target,
    };
  }
}
