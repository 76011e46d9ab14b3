// Decision Transformer (Chen et al. 2021): offline RL as sequence modelling. Each timestep is
// three tokens, (return-to-go, state, action); a causal transformer reads the last K timesteps
// and predicts each action from its state token, trained by cross-entropy on the logged actions.
// Acting, it asks for a target return and lowers it by every reward received.
import { type Checkpoint, CheckpointSchema, type RLAlgorithm, type Transition } from "../core/algorithm.js";
import type { Env } from "../core/env.js";
import { Random } from "../core/random.js";
import type { Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import {
  CausalTransformer,
  Embedding,
  LayerNorm,
  Linear,
  loadParameters,
  type Parameter,
  parametersToTensors,
} from "../nn/transformer.js";
import {
  type IndexedDataset,
  indexDataset,
  observationStatistics,
  type Trajectory,
} from "../offline/trajectories.js";

export interface DecisionTransformerOptions {
  seed: number;
  /** The return asked for at an episode's first step (e.g. 500 for CartPole-v1). */
  targetReturn: number;
  /** The offline dataset `train()` steps on; or give it later to `fit`. */
  dataset?: readonly Trajectory[];
  /** K: timesteps of context (3K tokens), default 10. */
  contextLength?: number;
  /** Token width, default 32. */
  width?: number;
  heads?: number;
  layers?: number;
  /** Returns-to-go are divided by this before embedding (default 100). */
  returnScale?: number;
  /** Timesteps above this share the last timestep embedding (default 1000). */
  maxTimestep?: number;
  batchSize?: number;
  learningRate?: number;
  /** Gradients are scaled down to this global norm (default 0.25, as the paper). */
  gradientClip?: number;
}

interface SequenceBatch {
  returnsToGo: Float32Array;
  states: Float32Array;
  actions: Int32Array;
  timesteps: Int32Array;
  /** 1 where a step is real, 0 where the window ran past the episode's end. */
  mask: Float32Array;
  batch: number;
  length: number;
}

interface EpisodeContext {
  returnsToGo: number[];
  states: number[][];
  actions: number[];
  /** A reward was observed for the last action (act may run again). */
  rewarded: boolean;
  ended: boolean;
  lastObservation: readonly number[] | undefined;
}

const ARCHITECTURE = ["context_length", "width", "heads", "layers", "max_timestep", "return_scale"] as const;

/**
 * A Decision Transformer for Box observations and Discrete actions, trained offline.
 *
 * @example
 * const dt = new DecisionTransformer(env.observationSpace, env.actionSpace, { seed: 1, targetReturn: 500 });
 * dt.fit(createMixedCartPoleDataset({ seed: 1 }), { steps: 2000 });
 * dt.beginEpisode();
 * const action = dt.act(observation); // then dt.observe({ ..., reward }) after each step
 */
export class DecisionTransformer implements RLAlgorithm<readonly number[], number> {
  readonly name = "decision-transformer";
  readonly hyperparameters;
  private readonly stateSize: number;
  private readonly actionCount: number;
  private readonly random: Random;
  private readonly returnEmbedding: Linear;
  private readonly stateEmbedding: Linear;
  private readonly actionEmbedding: Embedding;
  private readonly timestepEmbedding: Embedding;
  private readonly embeddingNorm: LayerNorm;
  private readonly transformer: CausalTransformer;
  private readonly actionHead: Linear;
  private readonly optimizer: tf.AdamOptimizer;
  private dataset: IndexedDataset | undefined;
  private stateMean: number[];
  private stateStd: number[];
  private gradientSteps = 0;
  private episode: EpisodeContext | undefined;
  private nextTarget: number | undefined;

  constructor(observationSpace: Space, actionSpace: Space, options: DecisionTransformerOptions) {
    if (
      observationSpace.kind !== "box" ||
      observationSpace.shape.length !== 1 ||
      actionSpace.kind !== "discrete"
    ) {
      throw new Error(
        `Decision Transformer needs a one-dimensional Box observation space and a Discrete action space, got ${observationSpace.kind} and ${actionSpace.kind}`,
      );
    }
    this.stateSize = observationSpace.shape[0]!;
    this.actionCount = actionSpace.n;
    this.hyperparameters = {
      target_return: options.targetReturn,
      context_length: options.contextLength ?? 10,
      width: options.width ?? 32,
      heads: options.heads ?? 1,
      layers: options.layers ?? 1,
      return_scale: options.returnScale ?? 100,
      max_timestep: options.maxTimestep ?? 1000,
      batch_size: options.batchSize ?? 64,
      learning_rate: options.learningRate ?? 1e-3,
      gradient_clip: options.gradientClip ?? 0.25,
      seed: options.seed,
    };
    const { width, heads, layers, max_timestep } = this.hyperparameters;
    this.random = new Random(options.seed);
    const init = this.random.fork();
    this.returnEmbedding = new Linear("embed_return", 1, width, init);
    this.stateEmbedding = new Linear("embed_state", this.stateSize, width, init);
    this.actionEmbedding = new Embedding("embed_action", this.actionCount, width, init);
    this.timestepEmbedding = new Embedding("embed_timestep", max_timestep + 1, width, init);
    this.embeddingNorm = new LayerNorm("embed_norm", width);
    this.transformer = new CausalTransformer("transformer", { width, heads, layers }, init);
    this.actionHead = new Linear("action_head", width, this.actionCount, init);
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

  /**
   * Starts a new episode's context, asking for `targetReturn` (default: the one given at
   * construction). Without it, act starts a new episode after one ends or when the observation
   * is not the last transition's next observation.
   */
  beginEpisode(targetReturn?: number): void {
    this.episode = undefined;
    this.nextTarget = targetReturn;
  }

  act(observation: readonly number[], options: { explore?: boolean } = {}): number {
    const episode = this.contextFor(observation);
    if (episode.states.length > 0 && !episode.rewarded) {
      throw new Error(
        "DecisionTransformer.act needs observe(transition) after each act: its reward lowers the return-to-go. Call beginEpisode() to start afresh",
      );
    }
    episode.states.push([...observation]);
    episode.actions.push(0);
    const logits = this.lastLogits(episode);
    const action = options.explore ? this.random.categorical(softmax(logits)) : argmax(logits);
    episode.actions[episode.actions.length - 1] = action;
    episode.rewarded = false;
    episode.lastObservation = observation;
    return action;
  }

  /** Lowers the return-to-go by the reward; a terminated or truncated step ends the episode. */
  observe(transition: Transition<readonly number[], number>): void {
    const episode = this.episode;
    if (!episode || episode.rewarded) return;
    episode.returnsToGo.push(episode.returnsToGo.at(-1)! - transition.reward);
    episode.rewarded = true;
    episode.lastObservation = transition.nextObservation;
    episode.ended = transition.terminated || transition.truncated;
  }

  /** One gradient step on a batch of K-step windows from the dataset; undefined without one. */
  train() {
    if (!this.dataset) return undefined;
    const batch = this.sampleBatch(this.dataset);
    const { gradient_clip: clip } = this.hyperparameters;
    const variables = this.parameters().map((parameter) => parameter.variable);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(batch), variables);
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name]!)))));
      const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
      this.optimizer.applyGradients(
        Object.fromEntries(names.map((name) => [name, tf.mul(grads[name]!, scale)])),
      );
      return value;
    });
    this.gradientSteps += 1;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return { loss: value };
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: this.hyperparameters,
      tensors: {
        ...parametersToTensors(this.parameters()),
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
    const mismatched = ARCHITECTURE.filter(
      (key) => parsed.hyperparameters[key] !== this.hyperparameters[key],
    );
    if (mismatched.length > 0) {
      throw new Error(
        `Checkpoint's Decision Transformer differs in ${mismatched.map((key) => `${key} (${parsed.hyperparameters[key]} there, ${this.hyperparameters[key]} here)`).join(", ")}`,
      );
    }
    const mean = parsed.tensors["normalisation.state_mean"];
    const std = parsed.tensors["normalisation.state_std"];
    if (mean?.values.length !== this.stateSize || std?.values.length !== this.stateSize) {
      throw new Error(`Checkpoint's state normalisation must have ${this.stateSize} values per statistic`);
    }
    loadParameters(this.parameters(), parsed.tensors, "this Decision Transformer");
    this.stateMean = [...mean.values];
    this.stateStd = [...std.values];
    this.gradientSteps = typeof parsed.state.gradient_steps === "number" ? parsed.state.gradient_steps : 0;
    this.episode = undefined;
  }

  dispose(): void {
    for (const { variable } of this.parameters()) variable.dispose();
    this.optimizer.dispose();
  }

  private parameters(): Parameter[] {
    return [
      this.returnEmbedding,
      this.stateEmbedding,
      this.actionEmbedding,
      this.timestepEmbedding,
      this.embeddingNorm,
      this.transformer,
      this.actionHead,
    ].flatMap((part) => part.parameters());
  }

  private setDataset(dataset: readonly Trajectory[]): void {
    this.dataset = indexDataset(dataset, this.stateSize, this.actionCount);
    // Normalisation is fixed by the first dataset, so that later data does not move the inputs under trained weights.
    if (this.gradientSteps === 0)
      ({ mean: this.stateMean, std: this.stateStd } = observationStatistics(dataset));
  }

  private contextFor(observation: readonly number[]): EpisodeContext {
    const previous = this.episode;
    if (
      previous &&
      !previous.ended &&
      (!previous.rewarded || sameVector(previous.lastObservation, observation))
    ) {
      return previous;
    }
    const target = this.nextTarget ?? this.hyperparameters.target_return;
    this.nextTarget = undefined;
    this.episode = {
      returnsToGo: [target],
      states: [],
      actions: [],
      rewarded: false,
      ended: false,
      lastObservation: undefined,
    };
    return this.episode;
  }

  /** Action logits [batch, K, actions] from each state token. */
  private logits(batch: SequenceBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const { batch: size, length } = batch;
      const { width, return_scale } = this.hyperparameters;
      const time = this.timestepEmbedding.apply(tf.tensor2d(batch.timesteps, [size, length], "int32"));
      const returns = tf.div(tf.tensor3d(batch.returnsToGo, [size, length, 1]), return_scale);
      const states = tf.div(
        tf.sub(tf.tensor3d(batch.states, [size, length, this.stateSize]), tf.tensor1d(this.stateMean)),
        tf.tensor1d(this.stateStd),
      );
      const tokens = tf.stack(
        [
          tf.add(this.returnEmbedding.apply(returns), time),
          tf.add(this.stateEmbedding.apply(states), time),
          tf.add(this.actionEmbedding.apply(tf.tensor2d(batch.actions, [size, length], "int32")), time),
        ],
        2,
      );
      const sequence = this.embeddingNorm.apply(tokens.reshape([size, 3 * length, width])) as tf.Tensor3D;
      const hidden = this.transformer.apply(sequence).reshape([size, length, 3, width]);
      const stateTokens = hidden.slice([0, 0, 1, 0], [size, length, 1, width]).reshape([size, length, width]);
      return this.actionHead.apply(stateTokens) as tf.Tensor3D;
    });
  }

  private loss(batch: SequenceBatch): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(batch).reshape([-1, this.actionCount]);
      const targets = tf.oneHot(tf.tensor1d(batch.actions, "int32"), this.actionCount);
      const mask = tf.tensor1d(batch.mask);
      const perStep = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1));
      return tf.div(tf.sum(tf.mul(perStep, mask)), tf.sum(mask)) as tf.Scalar;
    });
  }

  private lastLogits(episode: EpisodeContext): number[] {
    const { context_length: k, max_timestep } = this.hyperparameters;
    const start = Math.max(0, episode.states.length - k);
    const length = episode.states.length - start;
    const batch: SequenceBatch = {
      returnsToGo: Float32Array.from(episode.returnsToGo.slice(start)),
      states: Float32Array.from(episode.states.slice(start).flat()),
      actions: Int32Array.from(episode.actions.slice(start)),
      timesteps: Int32Array.from({ length }, (_, i) => Math.min(start + i, max_timestep)),
      mask: new Float32Array(length).fill(1),
      batch: 1,
      length,
    };
    const logits = tf.tidy(() => this.logits(batch).slice([0, length - 1, 0], [1, 1, this.actionCount]));
    const values = Array.from(logits.dataSync());
    logits.dispose();
    return values;
  }

  /** Windows of K steps starting at uniformly drawn dataset steps (so episodes count by length). */
  private sampleBatch(dataset: IndexedDataset): SequenceBatch {
    const { batch_size: size, context_length: k, max_timestep } = this.hyperparameters;
    const batch: SequenceBatch = {
      returnsToGo: new Float32Array(size * k),
      states: new Float32Array(size * k * this.stateSize),
      actions: new Int32Array(size * k),
      timesteps: new Int32Array(size * k),
      mask: new Float32Array(size * k),
      batch: size,
      length: k,
    };
    for (let row = 0; row < size; row++) {
      const { episode, step: start } = dataset.locate(this.random.int(dataset.steps));
      const end = Math.min(start + k, episode.actions.length);
      for (let t = start; t < end; t++) {
        const slot = row * k + (t - start);
        batch.returnsToGo[slot] = episode.returnsToGo[t]!;
        batch.states.set(episode.observations[t]!, slot * this.stateSize);
        batch.actions[slot] = episode.actions[t]!;
        batch.timesteps[slot] = Math.min(t, max_timestep);
        batch.mask[slot] = 1;
      }
    }
    return batch;
  }
}

/**
 * The returns of greedy episodes in which `observe` gets every step's reward, as a
 * return-conditioned policy needs (`evaluate` from core/train only calls `act`); each episode
 * begins with `beginEpisode(targetReturn)` when the algorithm has it. Use it for offline
 * policies: an online learner's `observe` would store these evaluation steps.
 */
export function evaluateWithRewards<O extends readonly number[], A extends number>(
  algorithm: Pick<RLAlgorithm<O, A>, "act" | "observe"> & { beginEpisode?: (targetReturn?: number) => void },
  env: Env<O, A>,
  options: { episodes: number; seed: number; targetReturn?: number },
): number[] {
  const returns: number[] = [];
  for (let episode = 0; episode < options.episodes; episode++) {
    let { observation } = env.reset(episode === 0 ? { seed: options.seed } : {});
    algorithm.beginEpisode?.(options.targetReturn);
    let total = 0;
    for (;;) {
      const action = algorithm.act(observation, { explore: false });
      const result = env.step(action);
      algorithm.observe({
        observation,
        action,
        reward: result.reward,
        nextObservation: result.observation,
        terminated: result.terminated,
        truncated: result.truncated,
      });
      total += result.reward;
      if (result.terminated || result.truncated) break;
      observation = result.observation;
    }
    returns.push(total);
  }
  return returns;
}

function sameVector(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}
