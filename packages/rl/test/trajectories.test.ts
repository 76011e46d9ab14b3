// Logged trajectories: returns-to-go, the seeded mixed-quality CartPole-v1 dataset and its mix.
import { describe, expect, it } from "vitest";
import { Random } from "../src/core/random.js";
import { createCartPole } from "../src/envs/cartpole.js";
import {
  CARTPOLE_EXPERT_GAINS,
  collectTrajectory,
  createMixedCartPoleDataset,
  describeDataset,
  episodeReturn,
  indexDataset,
  linearController,
  observationStatistics,
  returnsToGo,
  type Trajectory,
} from "../src/offline/trajectories.js";

describe("returnsToGo", () => {
  it("sums each step's reward with every later one", () => {
    expect(returnsToGo([1, 2, 3, 4])).toEqual([10, 9, 7, 4]);
    expect(returnsToGo([0.5, -1, 2])).toEqual([1.5, 1, 2]);
    expect(returnsToGo([])).toEqual([]);
  });

  it("counts down from the episode's return on CartPole's reward of 1 per step", () => {
    const episode = collectTrajectory(createCartPole(), linearController([0, 0, 1, 0], 0), new Random(1), {
      seed: 1,
    });
    const length = episode.rewards.length;
    expect(returnsToGo(episode.rewards)).toEqual(Array.from({ length }, (_, t) => length - t));
    expect(returnsToGo(episode.rewards)[0]).toBe(episodeReturn(episode));
  });
});

describe("collectTrajectory", () => {
  it("logs the observation each action was taken in and marks how the episode ended", () => {
    const env = createCartPole();
    const episode = collectTrajectory(env, linearController(CARTPOLE_EXPERT_GAINS, 0), new Random(2), {
      seed: 2,
      label: "expert",
    });
    expect(episode.observations).toHaveLength(500);
    expect(episode.actions).toHaveLength(500);
    expect(episode.terminated).toBe(false);
    expect(episode.label).toBe("expert");
    env.reset({ seed: 2 });
    for (let t = 0; t < 5; t++)
      expect(env.step(episode.actions[t]!).observation).toEqual(episode.observations[t + 1]);
  });
});

describe("createMixedCartPoleDataset", () => {
  const dataset = createMixedCartPoleDataset({ seed: 1 });

  it("mixes 10 expert, 50 medium and 40 poor episodes of clearly different returns", () => {
    const { byLabel, episodes, meanReturn } = describeDataset(dataset);
    expect(episodes).toBe(100);
    expect(byLabel.expert).toMatchObject({ episodes: 10, meanReturn: 500 });
    expect(byLabel.medium?.episodes).toBe(50);
    expect(byLabel.medium?.meanReturn).toBeGreaterThan(90);
    expect(byLabel.medium?.meanReturn).toBeLessThan(200);
    expect(byLabel.poor?.episodes).toBe(40);
    expect(byLabel.poor?.meanReturn).toBeLessThan(80);
    expect(meanReturn).toBeGreaterThan(100);
    expect(meanReturn).toBeLessThan(200);
  });

  it("has one observation, action and reward per step", () => {
    for (const episode of dataset) {
      expect(episode.observations.length).toBe(episode.actions.length);
      expect(episode.rewards.length).toBe(episode.actions.length);
      expect(episode.observations.every((observation) => observation.length === 4)).toBe(true);
      expect(episode.actions.every((action) => action === 0 || action === 1)).toBe(true);
    }
  });

  it("reproduces the same episodes from the same seed, and others from another", () => {
    expect(createMixedCartPoleDataset({ seed: 1 })).toEqual(dataset);
    const other = createMixedCartPoleDataset({ seed: 2 });
    expect(other.map((episode) => episode.actions)).not.toEqual(dataset.map((episode) => episode.actions));
  });

  it("splits a smaller dataset by the same shares, and refuses fewer episodes than behaviours", () => {
    expect(describeDataset(createMixedCartPoleDataset({ seed: 3, episodes: 20 })).byLabel).toMatchObject({
      expert: { episodes: 2 },
      medium: { episodes: 10 },
      poor: { episodes: 8 },
    });
    expect(() => createMixedCartPoleDataset({ seed: 1, episodes: 2 })).toThrow(/at least 3 episodes/);
  });
});

describe("observationStatistics", () => {
  it("gives each dimension's mean and standard deviation", () => {
    const dataset: Trajectory[] = [
      { observations: [[1, 10]], actions: [0], rewards: [1], terminated: true },
      { observations: [[3, 10]], actions: [1], rewards: [1], terminated: true },
    ];
    const { mean, std } = observationStatistics(dataset);
    expect(mean).toEqual([2, 10]);
    expect(std[0]).toBeCloseTo(1);
    expect(std[1]).toBe(1e-6);
    expect(() => observationStatistics([])).toThrow(/at least one step/);
  });
});

describe("indexDataset", () => {
  const step = (value: number) => [value, 0];
  const dataset: Trajectory[] = [
    { observations: [step(0), step(1)], actions: [0, 1], rewards: [1, 2], terminated: true },
    { observations: [step(2), step(3), step(4)], actions: [1, 1, 0], rewards: [3, 4, 5], terminated: false },
  ];

  it("finds every step by its index across episodes, with returns-to-go", () => {
    const indexed = indexDataset(dataset, 2, 2);
    expect(indexed.steps).toBe(5);
    const found = Array.from({ length: 5 }, (_, index) => indexed.locate(index));
    expect(found.map(({ episode, step }) => episode.observations[step]![0])).toEqual([0, 1, 2, 3, 4]);
    expect(indexed.episodes.map((episode) => episode.returnsToGo)).toEqual([
      [3, 2],
      [12, 9, 5],
    ]);
    expect(() => indexed.locate(5)).toThrow(/outside the dataset's 5 steps/);
  });

  it("names the first trajectory that does not fit the spaces", () => {
    expect(() => indexDataset(dataset, 3, 2)).toThrow(/Trajectory 0 has observations that are not 3 numbers/);
    expect(() => indexDataset(dataset, 2, 1)).toThrow(/Trajectory 0 has actions outside Discrete\(1\)/);
    const short: Trajectory = { observations: [step(0)], actions: [0, 1], rewards: [1, 1], terminated: true };
    expect(() => indexDataset([short], 2, 2)).toThrow(
      /Trajectory 0 needs as many observations, actions and rewards/,
    );
    expect(() => indexDataset([], 2, 2)).toThrow(/at least one trajectory/);
  });
});
