// Logged episodes for offline RL, their returns-to-go, and a seeded mixed-quality CartPole-v1
// dataset collected by hand-written controllers.
import type { Env } from "../core/env.js";
import { Random } from "../core/random.js";
import { createCartPole } from "../envs/cartpole.js";

/** One logged episode: observation t, the action taken in it and the reward that followed. */
export interface Trajectory {
  readonly observations: readonly (readonly number[])[];
  readonly actions: readonly number[];
  readonly rewards: readonly number[];
  /** The last step ended the episode (false: truncated by the time limit). */
  readonly terminated: boolean;
  /** Which behaviour logged it (e.g. "expert"), for reports; learners ignore it. */
  readonly label?: string;
}

/** Chooses an action for an observation; `random` is the collector's seeded stream. */
export type BehaviourPolicy = (observation: readonly number[], random: Random) => number;

/** Undiscounted returns-to-go: R̂_t = r_t + r_{t+1} + … + r_{T-1}. */
export function returnsToGo(rewards: readonly number[]): number[] {
  const result = new Array<number>(rewards.length);
  let total = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    total += rewards[t]!;
    result[t] = total;
  }
  return result;
}

/** The sum of an episode's rewards. */
export function episodeReturn(trajectory: Trajectory): number {
  return trajectory.rewards.reduce((sum, reward) => sum + reward, 0);
}

/** Episodes, steps and mean return of a dataset, overall and per label. */
export function describeDataset(dataset: readonly Trajectory[]) {
  const summarise = (episodes: readonly Trajectory[]) => ({
    episodes: episodes.length,
    steps: episodes.reduce((sum, episode) => sum + episode.actions.length, 0),
    meanReturn: episodes.reduce((sum, episode) => sum + episodeReturn(episode), 0) / episodes.length,
  });
  const labels = [...new Set(dataset.map((episode) => episode.label ?? "unlabelled"))];
  return {
    ...summarise(dataset),
    byLabel: Object.fromEntries(
      labels.map((label) => [
        label,
        summarise(dataset.filter((episode) => (episode.label ?? "unlabelled") === label)),
      ]),
    ),
  };
}

/** Runs `policy` for one episode of `env` (reset with `seed` when given) and logs it. */
export function collectTrajectory(
  env: Env<number[], number>,
  policy: BehaviourPolicy,
  random: Random,
  options: { seed?: number; label?: string } = {},
): Trajectory {
  const observations: number[][] = [];
  const actions: number[] = [];
  const rewards: number[] = [];
  let { observation } = env.reset(options.seed === undefined ? {} : { seed: options.seed });
  for (;;) {
    const action = policy(observation, random);
    const result = env.step(action);
    observations.push(observation);
    actions.push(action);
    rewards.push(result.reward);
    if (result.terminated || result.truncated) {
      return { observations, actions, rewards, terminated: result.terminated, label: options.label };
    }
    observation = result.observation;
  }
}

/**
 * Linear state feedback for CartPole: push right (1) when gains·[x, ẋ, θ, θ̇] + bias > 0, and
 * with probability ε a uniformly random action instead.
 */
export function linearController(gains: readonly number[], epsilon: number, bias = 0): BehaviourPolicy {
  return (observation, random) => {
    if (random.next() < epsilon) return random.int(2);
    let u = bias;
    for (let i = 0; i < gains.length; i++) u += gains[i]! * observation[i]!;
    return u > 0 ? 1 : 0;
  };
}

/** One kind of episode in the mixed dataset. */
export interface BehaviourMix {
  label: string;
  /** Share of the episodes, 0…1 (shares are normalised). */
  share: number;
  gains: readonly number[];
  /** Added to the feedback (default 0), as a miscalibrated sensor would. */
  bias?: number;
  /** ε is drawn uniformly from [low, high] for each episode. */
  epsilon: readonly [number, number];
}

/** The LQR-like feedback gains on [x, ẋ, θ, θ̇] that balance CartPole and keep the cart centred. */
export const CARTPOLE_EXPERT_GAINS: readonly number[] = [1, 1.5, 20, 3];

/**
 * The default mix of `createMixedCartPoleDataset`, by episodes (100 episodes: ~13k steps,
 * mean return ~130):
 * - 10% expert: the expert gains, ε ∈ [0, 0.2]: every episode reaches the 500-step limit.
 * - 50% medium: the same gains read through a miscalibrated sensor (bias 3, an angle offset of
 *   0.15 rad), ε ∈ [0, 0.2]: the cart drifts and the episode ends after ~100-145 steps.
 * - 40% poor: angle feedback without damping ([0, 0, 1, 0]), ε ∈ [0.2, 0.5]: the pole swings
 *   and falls after ~20-70 steps.
 * Pure ε-noise would not do: BC's argmax would strip it and recover the controller underneath.
 * Here the biased controller disagrees with the expert in about half of the expert's own states
 * and supplies most of the early-episode steps, so imitating everything blends the two.
 */
export const CARTPOLE_MIX: readonly BehaviourMix[] = [
  { label: "expert", share: 0.1, gains: CARTPOLE_EXPERT_GAINS, epsilon: [0, 0.2] },
  { label: "medium", share: 0.5, gains: CARTPOLE_EXPERT_GAINS, bias: 3, epsilon: [0, 0.2] },
  { label: "poor", share: 0.4, gains: [0, 0, 1, 0], epsilon: [0.2, 0.5] },
];

export interface MixedDatasetOptions {
  seed: number;
  /** Episodes in all (default 100), split between the behaviours by their shares. */
  episodes?: number;
  mix?: readonly BehaviourMix[];
}

/**
 * A mixed-quality offline CartPole-v1 dataset from `CARTPOLE_MIX` (or `mix`); the same seed
 * gives the same episodes.
 *
 * @example
 * const dataset = createMixedCartPoleDataset({ seed: 1 });
 * describeDataset(dataset).byLabel.expert?.meanReturn; // 500
 */
export function createMixedCartPoleDataset(options: MixedDatasetOptions): Trajectory[] {
  const mix = options.mix ?? CARTPOLE_MIX;
  const episodes = options.episodes ?? 100;
  if (!Number.isInteger(episodes) || episodes < mix.length) {
    throw new RangeError(
      `A mixed dataset needs an integer of at least ${mix.length} episodes, got ${episodes}`,
    );
  }
  const totalShare = mix.reduce((sum, behaviour) => sum + behaviour.share, 0);
  const counts = mix.map((behaviour) => Math.max(1, Math.round((episodes * behaviour.share) / totalShare)));
  counts[counts.length - 1] = Math.max(1, episodes - counts.slice(0, -1).reduce((sum, n) => sum + n, 0));
  const random = new Random(options.seed);
  const env = createCartPole();
  const dataset: Trajectory[] = [];
  mix.forEach((behaviour, index) => {
    for (let episode = 0; episode < counts[index]!; episode++) {
      const [low, high] = behaviour.epsilon;
      const policy = linearController(behaviour.gains, random.uniform(low, high), behaviour.bias);
      const seed = dataset.length === 0 ? options.seed : undefined;
      dataset.push(collectTrajectory(env, policy, random, { seed, label: behaviour.label }));
    }
  });
  return dataset;
}

/** Per-dimension mean and standard deviation of a dataset's observations (std floored at 1e-6). */
export function observationStatistics(dataset: readonly Trajectory[]): { mean: number[]; std: number[] } {
  const width = dataset[0]?.observations[0]?.length;
  if (width === undefined) throw new Error("Observation statistics need a dataset with at least one step");
  const sum = new Array<number>(width).fill(0);
  const squares = new Array<number>(width).fill(0);
  let count = 0;
  for (const { observations } of dataset) {
    for (const observation of observations) {
      for (let i = 0; i < width; i++) {
        sum[i] = sum[i]! + observation[i]!;
        squares[i] = squares[i]! + observation[i]! * observation[i]!;
      }
      count += 1;
    }
  }
  const mean = sum.map((total) => total / count);
  const std = squares.map((total, i) =>
    Math.max(1e-6, Math.sqrt(Math.max(0, total / count - mean[i]! ** 2))),
  );
  return { mean, std };
}

/** A logged episode with its returns-to-go. */
export interface IndexedTrajectory extends Trajectory {
  readonly returnsToGo: readonly number[];
}

/** A dataset checked against its spaces, whose steps can be drawn uniformly by index. */
export interface IndexedDataset {
  readonly episodes: readonly IndexedTrajectory[];
  /** Steps in all episodes. */
  readonly steps: number;
  /** The episode and step of the dataset's `index`-th step (0 … steps-1). */
  locate(index: number): { episode: IndexedTrajectory; step: number };
}

/**
 * Checks every trajectory (one observation of `observationSize` numbers, one action in
 * Discrete(`actionCount`) and one reward per step) and indexes its steps; throws naming the first bad one.
 */
export function indexDataset(
  dataset: readonly Trajectory[],
  observationSize: number,
  actionCount: number,
): IndexedDataset {
  if (dataset.length === 0) throw new Error("An offline dataset needs at least one trajectory");
  const episodes = dataset.map((trajectory, index): IndexedTrajectory => {
    const { observations, actions, rewards } = trajectory;
    if (observations.length !== actions.length || actions.length !== rewards.length || actions.length === 0) {
      throw new Error(
        `Trajectory ${index} needs as many observations, actions and rewards (at least one), got ${observations.length}, ${actions.length}, ${rewards.length}`,
      );
    }
    if (observations.some((observation) => observation.length !== observationSize)) {
      throw new Error(`Trajectory ${index} has observations that are not ${observationSize} numbers`);
    }
    if (actions.some((action) => !Number.isInteger(action) || action < 0 || action >= actionCount)) {
      throw new Error(`Trajectory ${index} has actions outside Discrete(${actionCount})`);
    }
    return { ...trajectory, returnsToGo: returnsToGo(rewards) };
  });
  const starts: number[] = [];
  let steps = 0;
  for (const episode of episodes) {
    starts.push(steps);
    steps += episode.actions.length;
  }
  return {
    episodes,
    steps,
    locate(index) {
      if (!Number.isInteger(index) || index < 0 || index >= steps) {
        throw new RangeError(`Step index ${index} is outside the dataset's ${steps} steps`);
      }
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle]! <= index) low = middle;
        else high = middle - 1;
      }
      return { episode: episodes[low]!, step: index - starts[low]! };
    },
  };
}
