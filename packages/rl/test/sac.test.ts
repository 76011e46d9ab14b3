// Smoke version of the SAC gate (the full one is `bench -- sac Pendulum-v1`), and SAC's contract.
import { beforeAll, describe, expect, it } from "vitest";
import { Sac, type SacOptions } from "../src/algorithms/sac.js";
import { Td3 } from "../src/algorithms/td3.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { createPendulum } from "../src/envs/pendulum.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { squashedSample } from "../src/nn/squashed-gaussian.js";

const make = (options: Partial<SacOptions> & { seed: number }) => {
  const env = createPendulum();
  const algo = new Sac(env.observationSpace, env.actionSpace, {
    learningRate: 1e-3,
    hiddenSizes: [64, 64],
    batchSize: 128,
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

describe("Sac", () => {
  it("swings Pendulum up far better than a random policy's return of about -1200 within 3000 steps", () => {
    const { env, algo } = make({ seed: 1 });
    train(algo, env, { steps: 3_000, seed: 1 });
    const returns = evaluate(algo, createPendulum(), { episodes: 5, seed: 99 });
    algo.dispose();
    expect(mean(returns)).toBeGreaterThan(-600);
  }, 180_000);

  it("gives a squashed sample the Gaussian's log-density less log(1 − tanh(u)²), with log σ clamped at 2", () => {
    const normalLogDensity = (noise: number, logStd: number) =>
      -0.5 * noise ** 2 - logStd - 0.5 * Math.log(2 * Math.PI);
    const expected = (mean: number, logStd: number, noise: number) => {
      const u = mean + Math.exp(logStd) * noise;
      return {
        action: Math.tanh(u),
        logProb: normalLogDensity(noise, logStd) - Math.log(1 - Math.tanh(u) ** 2),
      };
    };
    const [action, logProb] = tf.tidy(() => {
      const sample = squashedSample(tf.tensor2d([[0.3, -1.2, -0.5, 5]]), tf.tensor2d([[0.7, -0.4]]));
      return [sample.action.dataSync(), sample.logProb.dataSync()];
    });
    const first = expected(0.3, -0.5, 0.7);
    const second = expected(-1.2, 2, -0.4);
    expect(action[0]).toBeCloseTo(first.action, 5);
    expect(action[1]).toBeCloseTo(second.action, 5);
    expect(logProb[0]).toBeCloseTo(first.logProb + second.logProb, 4);
  });

  it("acts within the Box bounds, rescaled from tanh's (-1, 1)", () => {
    const { algo } = make({ seed: 4, learningStarts: 0 });
    for (const observation of observations) {
      for (const explore of [false, true]) {
        const [torque] = algo.act(observation, { explore });
        expect(Math.abs(torque!)).toBeLessThanOrEqual(2);
      }
    }
    const { mean: means } = algo.policyParameters(observations[0]!);
    expect(algo.act(observations[0]!, { explore: false })[0]).toBeCloseTo(2 * Math.tanh(means[0]!), 5);
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

  it("restores a checkpoint to the same greedy actions, temperature and counters", () => {
    const { env, algo } = make({ seed: 2, learningStarts: 100 });
    train(algo, env, { steps: 400, seed: 2 });
    const copy = make({ seed: 5 }).algo;
    const tensors = tf.memory().numTensors;
    copy.load(JSON.parse(JSON.stringify(algo.save())));
    expect(tf.memory().numTensors).toBe(tensors);
    for (const observation of observations) {
      expect(copy.act(observation, { explore: false })).toEqual(algo.act(observation, { explore: false }));
    }
    expect(copy.alpha).toBeCloseTo(algo.alpha, 6);
    expect(copy.alpha).not.toBe(1);
    expect(copy.save().state).toEqual({ steps: 400, updates: 301 });
    expect(copy.save().tensors).toEqual(algo.save().tensors);
    algo.dispose();
    copy.dispose();
  });

  it("refuses a checkpoint of another algorithm, of other hidden sizes, or without log_alpha", () => {
    const { algo } = make({ seed: 1 });
    const pendulum = createPendulum();
    const td3 = new Td3(pendulum.observationSpace, pendulum.actionSpace, { seed: 1, hiddenSizes: [8] });
    expect(() => algo.load(td3.save())).toThrow(/Checkpoint is for td3, not sac/);
    const narrow = make({ seed: 1, hiddenSizes: [16, 16] }).algo;
    expect(() => algo.load(narrow.save())).toThrow(
      /tensor "actor\/w0" has shape \[3,16\], this agent's is \[3,64\]/,
    );
    const noAlpha = algo.save();
    delete noAlpha.tensors.log_alpha;
    expect(() => algo.load(noAlpha)).toThrow(/log_alpha/);
    expect(() => algo.load({ algorithm: "sac" })).toThrow(/Not a sac checkpoint/);
    for (const agent of [algo, td3, narrow]) agent.dispose();
  });

  it("refuses a Discrete action space", () => {
    const cartPole = createCartPole();
    expect(() => new Sac(cartPole.observationSpace, cartPole.actionSpace, { seed: 1 })).toThrow(
      /SAC needs a Box action space, got Discrete\(2\); use SacDiscrete/,
    );
  });
});
