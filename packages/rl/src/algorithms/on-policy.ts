// What PPO and A2C share: an actor-critic policy (separate or shared MLPs), acting that records
// the log-prob and value of each explored action, a rollout that triggers an update when full,
// global-norm gradient clipping, a learning rate that may anneal, and save/load.
import {
  type Checkpoint,
  CheckpointSchema,
  type Hyperparameter,
  type RLAlgorithm,
  type TrainStats,
  type Transition,
} from "../core/algorithm.js";
import type { Action, Observation } from "../core/env.js";
import { Random } from "../core/random.js";
import { flatSize, type Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { observationBatch } from "../nn/batch.js";
import { type ActionDistribution, createActionDistribution } from "../nn/distributions.js";
import { type Activation, Mlp } from "../nn/mlp.js";
import { RolloutBuffer } from "./rollout.js";

export interface ActorCriticOptions {
  /** Hidden layer sizes of each network (default [64, 64]). */
  hiddenSizes?: readonly number[];
  /** Activation between layers (default tanh, as SB3's actor-critic policies). */
  activation?: Activation;
  /** One trunk with a policy head and a value head instead of two networks (default false). */
  sharedNetwork?: boolean;
  /** Initial log-std of a Gaussian policy over Box actions (default 0). */
  logStdInit?: number;
}

let instances = 0;

/** A policy network and a value network over one observation space, with the action distribution. */
export class ActorCritic {
  readonly distribution: ActionDistribution;
  private readonly trunk: Mlp | undefined;
  private readonly actor: Mlp;
  private readonly critic: Mlp;
  private readonly prefix: string;
  private readonly activation: Activation;

  constructor(
    name: string,
    readonly observationSpace: Space,
    actionSpace: Space,
    random: Random,
    options: ActorCriticOptions = {},
  ) {
    // tfjs variable names are global: each instance gets its own prefix; checkpoints drop it.
    instances += 1;
    this.prefix = `${name}-${instances}`;
    this.activation = options.activation ?? "tanh";
    this.distribution = createActionDistribution(actionSpace, this.prefix, {
      logStdInit: options.logStdInit,
    });
    const hidden = [...(options.hiddenSizes ?? [64, 64])];
    const inputs = flatSize(observationSpace);
    const outputs = this.distribution.parameterSize;
    const mlp = (part: string, sizes: number[], outputScale = 1) =>
      new Mlp(`${this.prefix}/${part}`, sizes, random, { activation: this.activation, outputScale });
    if (options.sharedNetwork) {
      if (hidden.length === 0) throw new RangeError("A shared actor-critic needs at least one hidden layer");
      this.trunk = mlp("trunk", [inputs, ...hidden]);
      this.actor = mlp("actor", [hidden.at(-1)!, outputs], 0.01);
      this.critic = mlp("critic", [hidden.at(-1)!, 1]);
    } else {
      this.actor = mlp("actor", [inputs, ...hidden, outputs], 0.01);
      this.critic = mlp("critic", [inputs, ...hidden, 1]);
    }
  }

  /** The distribution's parameters [batch, parameterSize] and the values [batch] of a batch of observations. */
  forward(observations: tf.Tensor2D): { parameters: tf.Tensor2D; values: tf.Tensor1D } {
    return tf.tidy(() => {
      const features = this.features(observations);
      return {
        parameters: this.actor.apply(features),
        values: tf.reshape(this.critic.apply(features), [-1]) as tf.Tensor1D,
      };
    });
  }

  /** V of each observation. */
  values(observations: readonly Observation[]): Float32Array {
    return tf.tidy(() => {
      const batch = observationBatch(this.observationSpace, observations);
      return tf.reshape(this.critic.apply(this.features(batch)), [-1]).dataSync() as Float32Array;
    });
  }

  /** One observation's distribution parameters, and its value unless `withValue` is false. */
  step(observation: Observation, withValue = true): { parameters: Float32Array; value: number } {
    return tf.tidy(() => {
      const features = this.features(observationBatch(this.observationSpace, [observation]));
      const parameters = this.actor.apply(features).dataSync() as Float32Array;
      return { parameters, value: withValue ? this.critic.apply(features).dataSync()[0]! : Number.NaN };
    });
  }

  variables(): tf.Variable[] {
    return [this.trunk, this.actor, this.critic]
      .flatMap((network) => network?.variables() ?? [])
      .concat(this.distribution.variables());
  }

  /** The weights, named without this instance's prefix ("actor/w0", "critic/b1", "log_std"). */
  toTensors(): Checkpoint["tensors"] {
    const tensors: Checkpoint["tensors"] = { ...this.distribution.toTensors() };
    for (const network of [this.trunk, this.actor, this.critic]) {
      for (const [key, tensor] of Object.entries(network?.toTensors() ?? {})) {
        tensors[key.slice(this.prefix.length + 1)] = tensor;
      }
    }
    return tensors;
  }

  /** Loads weights saved by `toTensors`; checks every shape first, so a mismatch changes nothing. */
  loadTensors(tensors: Checkpoint["tensors"]): void {
    for (const variable of this.variables()) {
      const key = variable.name.slice(this.prefix.length + 1);
      const saved = tensors[key];
      if (!saved)
        throw new Error(
          `Checkpoint has no tensor "${key}"; this policy has ${Object.keys(this.toTensors()).join(", ")}`,
        );
      if (saved.shape.join("x") !== variable.shape.join("x")) {
        throw new Error(
          `Checkpoint tensor "${key}" has shape [${saved.shape}], this policy needs [${variable.shape}]`,
        );
      }
    }
    const named = Object.fromEntries(
      Object.entries(tensors).map(([key, tensor]) => [`${this.prefix}/${key}`, tensor]),
    );
    for (const network of [this.trunk, this.actor, this.critic]) network?.loadTensors(named);
    this.distribution.loadTensors(tensors);
  }

  dispose(): void {
    for (const network of [this.trunk, this.actor, this.critic]) network?.dispose();
    this.distribution.dispose();
  }

  private features(observations: tf.Tensor2D): tf.Tensor2D {
    if (!this.trunk) return observations;
    const hidden = this.trunk.apply(observations);
    return this.activation === "relu" ? tf.relu(hidden) : tf.tanh(hidden);
  }
}

export interface OnPolicyOptions extends ActorCriticOptions {
  seed: number;
  /** Environment steps per rollout; an update runs each time the rollout is full. */
  nSteps?: number;
  gamma?: number;
  /** λ of GAE: 1 gives n-step returns, 0 one-step TD errors. */
  gaeLambda?: number;
  learningRate?: number;
  /** "linear": from learningRate down to 0 over totalSteps environment steps (SB3's lin_<lr>). */
  learningRateSchedule?: "constant" | "linear";
  /** The length of the training run, which linear schedules anneal over. */
  totalSteps?: number;
  /** Weight of the entropy bonus (SB3's ent_coef, default 0). */
  entropyCoefficient?: number;
  /** Weight of the value loss (SB3's vf_coef, default 0.5). */
  valueCoefficient?: number;
  /** Gradients are scaled down to this global L2 norm (default 0.5; Infinity for none). */
  maxGradNorm?: number;
  normalizeAdvantage?: boolean;
}

/** The rollout as tensors, ready for an update; `update` must not dispose them. */
export interface RolloutTensors {
  size: number;
  observations: tf.Tensor2D;
  actions: tf.Tensor2D;
  logProbs: tf.Tensor1D;
  values: tf.Tensor1D;
  advantages: tf.Tensor1D;
  returns: tf.Tensor1D;
}

type Defaults = Required<
  Pick<OnPolicyOptions, "nSteps" | "gamma" | "gaeLambda" | "learningRate" | "normalizeAdvantage">
>;

/** The acting, recording, annealing and saving that PPO and A2C share; subclasses implement `update`. */
export abstract class OnPolicyAlgorithm implements RLAlgorithm<Observation, Action> {
  abstract readonly name: string;
  readonly hyperparameters: Record<string, Hyperparameter>;
  protected readonly policy: ActorCritic;
  protected readonly random: Random;
  protected readonly rollout: RolloutBuffer;
  protected readonly learningRate: number;
  protected readonly normalizeAdvantage: boolean;
  protected readonly optimizer: tf.Optimizer;
  private readonly options: OnPolicyOptions & Defaults;
  private readonly actionSpace: Space;
  private pending: { action: number[]; value: number; logProb: number } | undefined;
  /** Explored environment steps recorded so far. */
  protected envSteps = 0;
  protected updates = 0;

  constructor(
    name: string,
    observationSpace: Space,
    actionSpace: Space,
    options: OnPolicyOptions,
    defaults: Defaults,
    createOptimizer: (learningRate: number) => tf.Optimizer,
  ) {
    this.options = { ...defaults, ...withoutUndefined(options), seed: options.seed };
    const o = this.options;
    this.actionSpace = actionSpace;
    this.rollout = new RolloutBuffer(positiveInteger("nSteps", o.nSteps));
    if (o.learningRateSchedule === "linear") requireTotalSteps("learningRateSchedule", o.totalSteps);
    this.learningRate = o.learningRate;
    this.normalizeAdvantage = o.normalizeAdvantage;
    this.random = new Random(o.seed);
    this.policy = new ActorCritic(name, observationSpace, actionSpace, this.random.fork(), o);
    this.optimizer = createOptimizer(o.learningRate);
    this.hyperparameters = {
      n_steps: o.nSteps,
      gamma: o.gamma,
      gae_lambda: o.gaeLambda,
      learning_rate: o.learningRate,
      learning_rate_schedule: o.learningRateSchedule ?? "constant",
      total_steps: o.totalSteps ?? 0,
      ent_coef: o.entropyCoefficient ?? 0,
      vf_coef: o.valueCoefficient ?? 0.5,
      max_grad_norm: o.maxGradNorm ?? 0.5,
      normalize_advantage: o.normalizeAdvantage,
      hidden_sizes: [...(o.hiddenSizes ?? [64, 64])],
      activation: o.activation ?? "tanh",
      shared_network: o.sharedNetwork ?? false,
      log_std_init: o.logStdInit ?? 0,
      seed: o.seed,
    };
  }

  act(observation: Observation, options: { explore?: boolean } = {}): Action {
    const distribution = this.policy.distribution;
    if (!options.explore)
      return this.toEnvAction(distribution.mode(this.policy.step(observation, false).parameters));
    const { parameters, value } = this.policy.step(observation);
    const { action, logProb } = distribution.sample(parameters, this.random);
    this.pending = { action, value, logProb };
    return this.toEnvAction(action);
  }

  observe(transition: Transition): void {
    const pending = this.pending;
    if (!pending)
      throw new Error(`${this.name}: observe() must follow an act(observation, { explore: true })`);
    this.pending = undefined;
    this.rollout.add({
      observation: transition.observation,
      action: pending.action,
      reward: transition.reward,
      nextObservation: transition.nextObservation,
      terminated: transition.terminated,
      truncated: transition.truncated,
      value: pending.value,
      logProb: pending.logProb,
    });
    this.envSteps += 1;
  }

  train(): TrainStats | undefined {
    if (!this.rollout.full) return undefined;
    const rollout = this.rolloutTensors();
    const learningRate =
      this.options.learningRateSchedule === "linear"
        ? this.learningRate * this.progressRemaining()
        : this.learningRate;
    // tfjs reads the optimizer's learning rate at each step but declares it protected.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    try {
      const stats = this.update(rollout);
      this.updates += 1;
      return { ...stats, learning_rate: learningRate, updates: this.updates };
    } finally {
      for (const tensor of Object.values(rollout)) if (tensor instanceof tf.Tensor) tensor.dispose();
      this.rollout.clear();
    }
  }

  /** One or more gradient steps on the full rollout. */
  protected abstract update(rollout: RolloutTensors): TrainStats;

  /** loss = policy loss − ent_coef · entropy + vf_coef · value loss. */
  protected loss(policyLoss: tf.Tensor, valueLoss: tf.Tensor, entropy: tf.Tensor): tf.Scalar {
    return tf.tidy(
      () =>
        tf.add(
          tf.sub(policyLoss, tf.mul(entropy, this.options.entropyCoefficient ?? 0)),
          tf.mul(valueLoss, this.options.valueCoefficient ?? 0.5),
        ) as tf.Scalar,
    );
  }

  /** Minimises `loss` by one optimizer step, the gradients clipped to max_grad_norm; returns their norm before clipping. */
  protected gradientStep(loss: () => tf.Scalar): tf.Scalar {
    return tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, this.policy.variables());
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((grad) => tf.sum(tf.square(grad)))));
      const maxNorm = this.options.maxGradNorm ?? 0.5;
      if (Number.isFinite(maxNorm)) {
        const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
        this.optimizer.applyGradients(
          Object.fromEntries(Object.entries(grads).map(([key, grad]) => [key, tf.mul(grad, scale)])),
        );
      } else {
        this.optimizer.applyGradients(grads);
      }
      return norm as tf.Scalar;
    });
  }

  /** 1 at the start of training, 0 after totalSteps environment steps. */
  protected progressRemaining(): number {
    return Math.max(0, 1 - this.envSteps / (this.options.totalSteps ?? Number.POSITIVE_INFINITY));
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: Object.fromEntries(
        Object.entries(this.hyperparameters).map(([key, value]) => [
          key,
          Array.isArray(value) ? [...value] : value,
        ]),
      ) as Checkpoint["hyperparameters"],
      tensors: this.policy.toTensors(),
      state: { env_steps: this.envSteps, updates: this.updates },
    };
  }

  /** Restores the networks and counters; the rollout in progress is discarded. */
  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    this.policy.loadTensors(parsed.tensors);
    const { env_steps: envSteps, updates } = parsed.state;
    this.envSteps = typeof envSteps === "number" ? envSteps : 0;
    this.updates = typeof updates === "number" ? updates : 0;
    this.rollout.clear();
    this.pending = undefined;
  }

  dispose(): void {
    this.policy.dispose();
    this.optimizer.dispose();
  }

  private rolloutTensors(): RolloutTensors {
    const rollout = this.rollout;
    const nextValues = this.policy.values(rollout.nextObservations);
    const { advantages, returns } = rollout.advantages(
      nextValues,
      this.options.gamma,
      this.options.gaeLambda,
    );
    const actionSize = this.policy.distribution.actionSize;
    const actions = new Float32Array(rollout.size * actionSize);
    rollout.actions.forEach((action, row) => {
      actions.set(action, row * actionSize);
    });
    return {
      size: rollout.size,
      observations: observationBatch(this.policy.observationSpace, rollout.observations),
      actions: tf.tensor2d(actions, [rollout.size, actionSize]),
      logProbs: tf.tensor1d(Float32Array.from(rollout.logProbs.subarray(0, rollout.size))),
      values: tf.tensor1d(Float32Array.from(rollout.values.subarray(0, rollout.size))),
      advantages: tf.tensor1d(Float32Array.from(advantages)),
      returns: tf.tensor1d(Float32Array.from(returns)),
    };
  }

  private toEnvAction(action: number[]): Action {
    const space = this.actionSpace;
    if (space.kind === "discrete") return action[0]!;
    return action.map((value, i) => Math.min(space.high[i]!, Math.max(space.low[i]!, value)));
  }
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** (x − mean) / (std + 1e-8), as SB3 normalises advantages; a single value is left as it is. */
export function normalize(values: tf.Tensor1D): tf.Tensor1D {
  if (values.shape[0] < 2) return values;
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(values);
    return tf.div(tf.sub(values, mean), tf.add(tf.sqrt(variance), 1e-8)) as tf.Tensor1D;
  });
}

/** Throws unless a linear schedule named `option` has a positive `totalSteps` to anneal over. */
export function requireTotalSteps(option: string, totalSteps: number | undefined): void {
  if (!(totalSteps !== undefined && totalSteps > 0)) {
    throw new RangeError(
      `${option} "linear" needs totalSteps > 0 (the steps to anneal over), got ${totalSteps}`,
    );
  }
}

/** `value` if it is a positive integer; otherwise a RangeError naming the option. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
