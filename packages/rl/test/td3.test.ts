// Smoke version of the TD3 gate (the full one is `bench -- td3 Pendulum-v1`), and TD3's contract.
import { beforeAll, describe, expect, it } from "vitest";
import { Sac } from "../src/algorithms/sac.js";
import { Td3, type Td3Options } from "../src/algorithms/td3.js";
import { box } from "../src/core/spaces.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { createPendulum } from "../src/envs/pendulum.js";
import { initBackend, tf } from "../src/nn/backend.js";

const make = (options: Partial<Td3Options> & { seed: number }) => {
  const env = createPendulum();
  const algo = new Td3(env.observationSpace, env.actionSpace, {
    gamma: 0.98,
    hiddenSizes: [64, 64],
    batchSize: 128,
    learningStarts: 1_000,
    ...options,
  });
  return { env, algo };
};

const observations = [
  [1, 0, 0],
  [-1, 0, 1],
  [0, 1, -3],
  [0.6, -0.8, 5],
];

beforeAll(async () => {
  await initBackend();
});

describe("Td3", () => {
  it("swings Pendulum up far better than a random policy's return of about -1200 within 6000 steps", () => {
    const { env, algo } = make({ seed: 1 });
    train(algo, env, { steps: 6_000, seed: 1 });
    const returns = evaluate(algo, createPendulum(), { episodes: 5, seed: 99 });
    algo.dispose();
    expect(mean(returns)).toBeGreaterThan(-600);
  }, 180_000);

  it("explores with Gaussian noise around its deterministic action, inside the bounds", () => {
    const { algo } = make({ seed: 4, learningStarts: 0, explorationNoise: 0.3 });
    const greedy = algo.act(observations[0]!, { explore: false })[0]!;
    const explored = Array.from({ length: 200 }, () => algo.act(observations[0]!, { explore: true })[0]!);
    expect(explored.every((torque) => Math.abs(torque) <= 2)).toBe(true);
    expect(new Set(explored).size).toBeGreaterThan(100);
    // Noise of std 0.3 in (-1, 1) units is 0.6 N·m on Pendulum's ±2 torque.
    expect(Math.abs(mean(explored) - greedy)).toBeLessThan(0.2);
    expect(algo.act(observations[0]!, { explore: false })[0]).toBe(greedy);
    algo.dispose();
  });

  it("moves the actor only every policyDelay updates", () => {
    const { env, algo } = make({ seed: 6, learningStarts: 100, policyDelay: 3 });
    const stats = [];
    let { observation } = env.reset({ seed: 6 });
    for (let step = 0; step < 106; step++) {
      const action = algo.act(observation, { explore: true });
      const result = env.step(action);
      algo.observe({
        observation,
        action,
        reward: result.reward,
        nextObservation: result.observation,
        terminated: false,
        truncated: false,
      });
      observation = result.observation;
      const update = algo.train();
      if (update) stats.push(update);
    }
    expect(stats).toHaveLength(7);
    expect(stats.map((update) => "actor_loss" in update)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    algo.dispose();
  });

  it("reproduces a run from its seed", () => {
    const run = () => {
      const { env, algo } = make({ seed: 7, learningStarts: 100 });
      train(algo, env, { steps: 300, seed: 7 });
      const saved = algo.save();
      algo.dispose();
      return saved;
    };
    const first = run();
    expect(first.state).toEqual({ steps: 300, updates: 201 });
    expect(run().tensors).toEqual(first.tensors);
  });

  it("keeps no tensors behind across act and train", () => {
    const { env, algo } = make({ seed: 3, learningStarts: 50 });
    train(algo, env, { steps: 60, seed: 3 });
    const before = tf.memory().numTensors;
    train(algo, env, { steps: 40, seed: 4 });
    algo.act(observations[1]!, { explore: false });
    algo.save();
    expect(tf.memory().numTensors).toBe(before);
    algo.dispose();
  });

  it("restores a checkpoint to the same greedy actions and counters", () => {
    const { env, algo } = make({ seed: 2, learningStarts: 100 });
    train(algo, env, { steps: 400, seed: 2 });
    const copy = make({ seed: 5 }).algo;
    copy.load(JSON.parse(JSON.stringify(algo.save())));
    for (const observation of observations) {
      expect(copy.act(observation, { explore: false })).toEqual(algo.act(observation, { explore: false }));
    }
    expect(copy.save().state).toEqual({ steps: 400, updates: 301 });
    expect(copy.save().tensors).toEqual(algo.save().tensors);
    algo.dispose();
    copy.dispose();
  });

  it("refuses a checkpoint of another algorithm or of other hidden sizes", () => {
    const { algo } = make({ seed: 1 });
    const pendulum = createPendulum();
    const sac = new Sac(pendulum.observationSpace, pendulum.actionSpace, { seed: 1, hiddenSizes: [8] });
    expect(() => algo.load(sac.save())).toThrow(/Checkpoint is for sac, not td3/);
    const narrow = make({ seed: 1, hiddenSizes: [16, 16] }).algo;
    expect(() => algo.load(narrow.save())).toThrow(
      /tensor "actor\/w0" has shape \[3,16\], this agent's is \[3,64\]/,
    );
    const noCounters = algo.save();
    noCounters.state = {};
    expect(() => algo.load(noCounters)).toThrow(/state "steps" must be a non-negative integer/);
    for (const agent of [algo, sac, narrow]) agent.dispose();
  });

  it("refuses a Discrete or an unbounded action space", () => {
    const cartPole = createCartPole();
    expect(() => new Td3(cartPole.observationSpace, cartPole.actionSpace, { seed: 1 })).toThrow(
      /TD3 needs a Box action space, got Discrete\(2\)/,
    );
    expect(() => new Td3(cartPole.observationSpace, box(-Infinity, Infinity, 1), { seed: 1 })).toThrow(
      /TD3 needs a bounded Box action space/,
    );
  });
});
