// Smoke test of discrete SAC on CartPole, and its contract.
import { beforeAll, describe, expect, it } from "vitest";
import { Sac } from "../src/algorithms/sac.js";
import { SacDiscrete, type SacDiscreteOptions } from "../src/algorithms/sac-discrete.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { createFrozenLake } from "../src/envs/frozen-lake.js";
import { createPendulum } from "../src/envs/pendulum.js";
import { initBackend, tf } from "../src/nn/backend.js";

const make = (options: Partial<SacDiscreteOptions> & { seed: number }) => {
  const env = createCartPole();
  const algo = new SacDiscrete(env.observationSpace, env.actionSpace, {
    learningRate: 1e-3,
    hiddenSizes: [64, 64],
    batchSize: 128,
    targetEntropyRatio: 0.3,
    ...options,
  });
  return { env, algo };
};

const observations = [
  [0, 0, 0, 0],
  [0.1, -0.5, 0.05, 0.4],
  [-1, 1, -0.1, -1],
  [2, 0, 0.2, 2],
];

beforeAll(async () => {
  await initBackend();
});

describe("SacDiscrete", () => {
  it("balances CartPole far longer than a random policy's 22 steps within 3000 steps", () => {
    const { env, algo } = make({ seed: 1, learningStarts: 1_000 });
    train(algo, env, { steps: 3_000, seed: 1 });
    const returns = evaluate(algo, createCartPole(), { episodes: 5, seed: 99 });
    algo.dispose();
    expect(mean(returns)).toBeGreaterThan(150);
  }, 180_000);

  it("acts greedily on the most probable action and samples from π when exploring", () => {
    const { algo } = make({ seed: 4, learningStarts: 0 });
    const probabilities = algo.probabilities(observations[1]!);
    expect(probabilities[0]! + probabilities[1]!).toBeCloseTo(1, 5);
    expect(algo.act(observations[1]!, { explore: false })).toBe(
      probabilities[1]! > probabilities[0]! ? 1 : 0,
    );
    const picks = Array.from({ length: 2000 }, () => algo.act(observations[1]!, { explore: true }));
    expect(mean(picks)).toBeCloseTo(probabilities[1]!, 1);
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

  it("restores a checkpoint to the same policy, temperature and counters", () => {
    const { env, algo } = make({ seed: 2, learningStarts: 100 });
    train(algo, env, { steps: 400, seed: 2 });
    const copy = make({ seed: 5 }).algo;
    copy.load(JSON.parse(JSON.stringify(algo.save())));
    for (const observation of observations) {
      expect(copy.probabilities(observation)).toEqual(algo.probabilities(observation));
      expect(copy.act(observation, { explore: false })).toBe(algo.act(observation, { explore: false }));
    }
    expect(copy.alpha).toBeCloseTo(algo.alpha, 6);
    expect(copy.alpha).not.toBe(1);
    expect(copy.save().state).toEqual({ steps: 400, updates: 301 });
    algo.dispose();
    copy.dispose();
  });

  it("refuses a checkpoint of another algorithm or of other spaces", () => {
    const { algo } = make({ seed: 1 });
    const pendulum = createPendulum();
    const sac = new Sac(pendulum.observationSpace, pendulum.actionSpace, { seed: 1, hiddenSizes: [8] });
    expect(() => algo.load(sac.save())).toThrow(/Checkpoint is for sac, not sac-discrete/);
    const lake = createFrozenLake();
    const other = new SacDiscrete(lake.observationSpace, lake.actionSpace, {
      seed: 1,
      hiddenSizes: [64, 64],
    });
    expect(() => algo.load(other.save())).toThrow(
      /tensor "actor\/w0" has shape \[16,64\], this agent's is \[4,64\]/,
    );
    for (const agent of [algo, sac, other]) agent.dispose();
  });

  it("refuses a Box action space and a bad target entropy ratio", () => {
    const pendulum = createPendulum();
    expect(() => new SacDiscrete(pendulum.observationSpace, pendulum.actionSpace, { seed: 1 })).toThrow(
      /SacDiscrete needs a Discrete action space, got a Box of 1 dimensions; use Sac/,
    );
    const cartPole = createCartPole();
    expect(
      () =>
        new SacDiscrete(cartPole.observationSpace, cartPole.actionSpace, {
          seed: 1,
          targetEntropyRatio: 1.5,
        }),
    ).toThrow(/targetEntropyRatio must be in \(0, 1\), got 1.5/);
  });
});
