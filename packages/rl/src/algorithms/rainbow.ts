// Rainbow (Hessel et al. 2018): DQN with its six improvements combined, each switchable —
// C51 return distributions, noisy-net exploration, prioritized replay, n-step returns, a
// dueling head and double-Q targets — with a target network, Adam and gradient clipping.
import { NStepAccumulator } from "../buffers/n-step.js";
import { PrioritizedReplayBuffer } from "../buffers/prioritized-replay-buffer.js";
import { ReplayBuffer } from "../buffers/replay-buffer.js";
import {
  type Checkpoint,
  CheckpointSchema,
  type RLAlgorithm,
  type TrainStats,
  type Transition,
} from "../core/algorithm.js";
import type { Observation } from "../core/env.js";
import { Random } from "../core/random.js";
import { linear, type Schedule } from "../core/schedules.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { type CategoricalSupport, createSupport } from "../nn/distributional.js";
import { ClippedAdam } from "./rainbow/clipped-adam.js";
import { RainbowNetwork } from "./rainbow/network.js";
import {
  type RainbowHyperparameters,
  type RainbowOptions,
  resolveRainbowOptions,
} from "./rainbow/options.js";
import { qValues, type UpdateContext, updateStep } from "./rainbow/update.js";

export type { RainbowHyperparameters, RainbowOptions } from "./rainbow/options.js";

/** Hyperparameters that fix the networks' shapes: a checkpoint must agree on all of them. */
const STRUCTURAL = ["hidden_sizes", "distributional", "atoms", "dueling", "noisy"] as const;

/**
 * Rainbow over a Discrete action space and Box (or Discrete, one-hot) observations.
 *
 * @example
 * const env = createCartPole();
 * const rainbow = new Rainbow(env.observationSpace, env.actionSpace, { seed: 1, vMin: 0, vMax: 100 });
 * train(rainbow, env, { steps: 50_000, seed: 1 });
 */
export class Rainbow implements RLAlgorithm<Observation, number> {
  readonly name = "rainbow";
  readonly hyperparameters: Readonly<RainbowHyperparameters>;
  private readonly observationSize: number;
  private readonly actions: number;
  private readonly random: Random;
  private readonly noiseRandom: Random;
  private readonly support: CategoricalSupport | undefined;
  private readonly online: RainbowNetwork;
  private readonly target: RainbowNetwork;
  private readonly optimizer: ClippedAdam;
  private readonly buffer: ReplayBuffer<Observation, number> | PrioritizedReplayBuffer<Observation, number>;
  private readonly nStep: NStepAccumulator<Observation, number>;
  private readonly epsilon: Schedule;
  private readonly beta: Schedule;
  private steps = 0;
  private updates = 0;
  private lastTrainedStep = -1;
  private lastTargetUpdate = 0;

  constructor(
    private readonly observationSpace: Space,
    actionSpace: Space,
    options: RainbowOptions,
  ) {
    if (actionSpace.kind !== "discrete") {
      throw new Error(
        `Rainbow needs a Discrete action space (it learns a value per action), got a Box of ${flatSize(actionSpace)} dimension(s); use an algorithm for continuous actions such as SAC or TD3`,
      );
    }
    const hp = resolveRainbowOptions(options);
    this.hyperparameters = hp;
    this.observationSize = flatSize(observationSpace);
    this.actions = actionSpace.n;
    this.random = new Random(hp.seed);
    this.noiseRandom = this.random.fork();
    this.support = hp.distributional ? createSupport(hp.atoms, hp.v_min, hp.v_max) : undefined;
    const shape = {
      inputs: this.observationSize,
      actions: this.actions,
      atoms: this.support?.atoms ?? 1,
      hiddenSizes: hp.hidden_sizes,
      dueling: hp.dueling,
      noisy: hp.noisy,
      sigma0: hp.sigma0,
    };
    this.online = new RainbowNetwork(shape, this.random.fork());
    this.target = new RainbowNetwork(shape, this.random.fork());
    this.target.updateFrom(this.online);
    this.optimizer = new ClippedAdam(this.online.variables(), {
      learningRate: hp.learning_rate,
      epsilon: hp.adam_epsilon,
      maxGradNorm: hp.max_grad_norm,
    });
    this.buffer = hp.prioritized
      ? new PrioritizedReplayBuffer(hp.buffer_size, observationSpace, actionSpace, {
          alpha: hp.priority_alpha,
          epsilon: hp.priority_epsilon,
          gamma: hp.gamma,
        })
      : new ReplayBuffer(hp.buffer_size, observationSpace, actionSpace, hp.gamma);
    this.nStep = new NStepAccumulator(hp.n_steps, hp.gamma);
    this.epsilon = linear(hp.epsilon_start, hp.epsilon_end, hp.epsilon_steps);
    this.beta = linear(hp.priority_beta_start, 1, hp.priority_beta_steps);
  }

  act(observation: Observation, options: { explore?: boolean } = {}): number {
    const hp = this.hyperparameters;
    if (options.explore) {
      if (this.steps < hp.learning_starts) return this.random.int(this.actions);
      if (!hp.noisy && this.random.next() < this.epsilon(this.steps)) return this.random.int(this.actions);
    }
    return this.greedyActions([observation], { noise: options.explore === true && hp.noisy })[0]!;
  }

  /** The highest-valued action of each observation; `noise: false` runs noisy layers on their means. */
  greedyActions(
    observations: readonly Observation[],
    options: { noise: boolean } = { noise: false },
  ): number[] {
    const best = tf.tidy(() => {
      const input = observationBatch(this.observationSpace, observations);
      return tf.argMax(qValues(this.online.logits(input, options), this.support), 1);
    });
    const actions = Array.from(best.dataSync());
    best.dispose();
    return actions;
  }

  observe(transition: Transition<Observation, number>): void {
    this.steps += 1;
    for (const { transition: folded, discount } of this.nStep.push(transition))
      this.buffer.add(folded, discount);
  }

  train(): TrainStats | undefined {
    const hp = this.hyperparameters;
    if (
      this.steps === this.lastTrainedStep ||
      this.steps < hp.learning_starts ||
      this.buffer.size < hp.batch_size ||
      this.steps % hp.train_every !== 0
    ) {
      return undefined;
    }
    this.lastTrainedStep = this.steps;
    const beta = this.beta(this.steps);
    const batch =
      this.buffer instanceof PrioritizedReplayBuffer
        ? this.buffer.sample(hp.batch_size, this.random, beta)
        : this.buffer.sample(hp.batch_size, this.random);
    if (hp.noisy) {
      this.online.resetNoise(this.noiseRandom);
      this.target.resetNoise(this.noiseRandom);
    }
    const result = updateStep(this.updateContext(), batch);
    if (this.buffer instanceof PrioritizedReplayBuffer)
      this.buffer.updatePriorities(batch.indices, result.sampleLosses);
    this.updates += 1;
    if (this.steps - this.lastTargetUpdate >= hp.target_update_interval) {
      this.target.updateFrom(this.online, hp.tau);
      this.lastTargetUpdate = this.steps;
    }
    const stats: TrainStats = { loss: result.loss, grad_norm: result.gradNorm };
    if (hp.prioritized) stats.beta = beta;
    if (!hp.noisy) stats.epsilon = this.epsilon(this.steps);
    return stats;
  }

  /** The online and target networks and the step counters (not the replay buffer or Adam's moments). */
  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: { ...this.hyperparameters, hidden_sizes: [...this.hyperparameters.hidden_sizes] },
      tensors: { ...this.online.toTensors("online"), ...this.target.toTensors("target") },
      state: {
        steps: this.steps,
        updates: this.updates,
        last_target_update: this.lastTargetUpdate,
        observation_size: this.observationSize,
        actions: this.actions,
      },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name) {
      throw new Error(
        `Checkpoint is for ${parsed.algorithm}, not ${this.name}; load it into a ${parsed.algorithm} agent`,
      );
    }
    const { observation_size: observationSize, actions } = parsed.state;
    if (observationSize !== this.observationSize || actions !== this.actions) {
      throw new Error(
        `Checkpoint is for ${observationSize} observation features and ${actions} actions, this Rainbow has ${this.observationSize} and ${this.actions}`,
      );
    }
    for (const name of STRUCTURAL) {
      const saved = JSON.stringify(parsed.hyperparameters[name]);
      const ours = JSON.stringify(this.hyperparameters[name]);
      if (saved !== ours)
        throw new Error(`Checkpoint has ${name}=${saved}, this Rainbow has ${name}=${ours}`);
    }
    this.online.loadTensors(parsed.tensors, "online");
    this.target.loadTensors(parsed.tensors, "target");
    const count = (key: string) =>
      typeof parsed.state[key] === "number" ? (parsed.state[key] as number) : 0;
    this.steps = count("steps");
    this.updates = count("updates");
    this.lastTargetUpdate = count("last_target_update");
    this.lastTrainedStep = -1;
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }

  private updateContext(): UpdateContext {
    return {
      online: this.online,
      target: this.target,
      optimizer: this.optimizer,
      observationSize: this.observationSize,
      actions: this.actions,
      support: this.support,
      double: this.hyperparameters.double,
    };
  }
}
