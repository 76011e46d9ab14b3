// Smoke version of the PPO gate (the full one is `bench -- ppo CartPole-v1`), PPO's Box actions,
// and the action distributions it samples from.
import { beforeAll, describe, expect, it } from "vitest";
import { Ppo, type PpoOptions } from "../src/algorithms/ppo.js";
import { Random } from "../src/core/random.js";
import { box, discrete } from "../src/core/spaces.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { Categorical, DiagonalGaussian } from "../src/nn/distributions.js";
import { reachTarget } from "./fixtures/reach-target.js";

beforeAll(async () => {
  await initBackend();
});

/** The bench preset's settings (RL Baselines3 Zoo's CartPole PPO on one env), without annealing. */
const CARTPOLE: Omit<PpoOptions, "seed"> = {
  nSteps: 256,
  batchSize: 256,
  nEpochs: 20,
  gamma: 0.98,
  gaeLambda: 0.8,
  learningRate: 1e-3,
};

const cartPolePpo = (seed: number, options: Partial<PpoOptions> = {}) => {
  const env = createCartPole();
  return { env, ppo: new Ppo(env.observationSpace, env.actionSpace, { seed, ...CARTPOLE, ...options }) };
};

const weights = (ppo: Ppo) => ppo.save().tensors;

describe("Ppo", () => {
  it("learns CartPole well above a random policy's return of about 22", () => {
    const { env, ppo } = cartPolePpo(1);
    train(ppo, env, { steps: 4096, seed: 1 });
    expect(mean(evaluate(ppo, createCartPole(), { episodes: 10, seed: 99 }))).toBeGreaterThan(150);
    ppo.dispose();
  });

  it("learns a continuous action with its Gaussian policy", () => {
    const env = reachTarget();
    const ppo = new Ppo(env.observationSpace, env.actionSpace, {
      seed: 1,
      nSteps: 64,
      batchSize: 32,
      learningRate: 3e-3,
      hiddenSizes: [32],
    });
    // The untrained policy's mean action is about 0, earning −E[target²] ≈ −0.33.
    train(ppo, env, { steps: 2000, seed: 1 });
    expect(mean(evaluate(ppo, reachTarget(), { episodes: 200, seed: 5 }))).toBeGreaterThan(-0.03);
    const logStd = ppo.save().tensors.log_std!.values[0]!;
    expect(logStd).toBeLessThan(-0.5);
    ppo.dispose();
  });

  it("reproduces a run from its seed", () => {
    const run = () => {
      const { env, ppo } = cartPolePpo(7, { nSteps: 128, batchSize: 64, nEpochs: 2 });
      train(ppo, env, { steps: 300, seed: 7 });
      const saved = weights(ppo);
      ppo.dispose();
      return saved;
    };
    expect(run()).toEqual(run());
  });

  it("acts greedily without disturbing the rollout or its random stream", () => {
    const options = { nSteps: 64, batchSize: 32, nEpochs: 2 };
    const plain = cartPolePpo(3, options);
    train(plain.ppo, plain.env, { steps: 200, seed: 3 });
    const probed = cartPolePpo(3, options);
    let { observation } = probed.env.reset({ seed: 3 });
    for (let step = 0; step < 200; step++) {
      const action = probed.ppo.act(observation, { explore: true });
      probed.ppo.act(observation, { explore: false });
      const result = probed.env.step(action as number);
      probed.ppo.observe({ ...result, observation, action, nextObservation: result.observation });
      probed.ppo.train();
      observation =
        result.terminated || result.truncated ? probed.env.reset().observation : result.observation;
    }
    expect(weights(probed.ppo)).toEqual(weights(plain.ppo));
    plain.ppo.dispose();
    probed.ppo.dispose();
  });

  it("updates once per full rollout and anneals the learning rate and clip range linearly", () => {
    const { env, ppo } = cartPolePpo(4, {
      nSteps: 64,
      batchSize: 32,
      nEpochs: 1,
      learningRateSchedule: "linear",
      clipRangeSchedule: "linear",
      totalSteps: 256,
    });
    const updates: Record<string, number>[] = [];
    let { observation } = env.reset({ seed: 4 });
    for (let step = 0; step < 128; step++) {
      const action = ppo.act(observation, { explore: true });
      const result = env.step(action as number);
      ppo.observe({ ...result, observation, action, nextObservation: result.observation });
      const stats = ppo.train();
      if (stats) updates.push({ step, ...stats });
      observation = result.terminated || result.truncated ? env.reset().observation : result.observation;
    }
    expect(updates.map((stats) => stats.step)).toEqual([63, 127]);
    expect(updates[0]).toMatchObject({ minibatches: 2, updates: 1 });
    expect(updates[0]!.learning_rate).toBeCloseTo(1e-3 * 0.75, 12);
    expect(updates[1]!.learning_rate).toBeCloseTo(1e-3 * 0.5, 12);
    expect(updates[1]!.clip_range).toBeCloseTo(0.1, 12);
    ppo.dispose();
  });

  it("restores a checkpoint to the same greedy policy and counters, shared network or not", () => {
    for (const sharedNetwork of [false, true]) {
      const { env, ppo } = cartPolePpo(2, { nSteps: 128, batchSize: 64, nEpochs: 2, sharedNetwork });
      train(ppo, env, { steps: 400, seed: 2 });
      const copy = cartPolePpo(5, { sharedNetwork }).ppo;
      copy.load(JSON.parse(JSON.stringify(ppo.save())));
      const probe = new Random(11);
      for (let i = 0; i < 50; i++) {
        const observation = [0, 0, 0, 0].map(() => probe.uniform(-0.2, 0.2));
        expect(copy.act(observation)).toBe(ppo.act(observation));
      }
      expect(copy.save().tensors).toEqual(ppo.save().tensors);
      expect(copy.save().state).toEqual(ppo.save().state);
      expect(Object.keys(ppo.save().tensors).some((key) => key.startsWith("trunk/"))).toBe(sharedNetwork);
      ppo.dispose();
      copy.dispose();
    }
  });

  it("refuses a checkpoint of another algorithm or shape, changing nothing", () => {
    const { ppo } = cartPolePpo(1);
    const other = cartPolePpo(1, { hiddenSizes: [32, 32] }).ppo;
    expect(() => ppo.load(other.save())).toThrow(/has shape \[4,32\].*needs \[4,64\]/);
    const before = ppo.save().tensors;
    const almost = cartPolePpo(9).ppo;
    const bad = almost.save();
    bad.tensors["critic/w2"] = { shape: [64, 2], values: new Array(128).fill(0) };
    expect(() => ppo.load(bad)).toThrow(/"critic\/w2" has shape \[64,2\], this policy needs \[64,1\]/);
    expect(ppo.save().tensors).toEqual(before);
    delete bad.tensors["critic/w2"];
    expect(() => ppo.load(bad)).toThrow(/Checkpoint has no tensor "critic\/w2"/);
    expect(() => ppo.load({ ...ppo.save(), algorithm: "a2c" })).toThrow(/Checkpoint is for a2c, not ppo/);
    expect(() => ppo.load({ algorithm: "ppo" })).toThrow();
    ppo.dispose();
    other.dispose();
    almost.dispose();
  });

  it("says what is wrong with its spaces or options", () => {
    const observations = box([-1], [1]);
    expect(
      () => new Ppo(observations, { kind: "box", shape: [2, 2], low: [], high: [] }, { seed: 1 }),
    ).toThrow(/Box action spaces must be one-dimensional, got shape \[2,2\]/);
    expect(() => new Ppo(observations, discrete(2), { seed: 1, learningRateSchedule: "linear" })).toThrow(
      /learningRateSchedule "linear" needs totalSteps > 0/,
    );
    expect(() => new Ppo(observations, discrete(2), { seed: 1, batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    const ppo = new Ppo(observations, discrete(2), { seed: 1 });
    expect(() =>
      ppo.observe({
        observation: [0],
        action: 0,
        reward: 1,
        nextObservation: [0],
        terminated: false,
        truncated: false,
      }),
    ).toThrow(/observe\(\) must follow an act\(observation, \{ explore: true \}\)/);
    ppo.dispose();
  });

  it("leaks no tensors across acting and updates", () => {
    const { env, ppo } = cartPolePpo(6, { nSteps: 64, batchSize: 32, nEpochs: 2 });
    train(ppo, env, { steps: 64, seed: 6 }); // the first update creates the optimizer's slots
    const before = tf.memory().numTensors;
    train(ppo, env, { steps: 256, seed: 6 });
    evaluate(ppo, createCartPole(), { episodes: 2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    ppo.dispose();
  });
});

describe("action distributions", () => {
  it("gives a categorical's log-probabilities and entropy from its logits", () => {
    const categorical = new Categorical(2);
    const logits = tf.tensor2d([[0, Math.log(3)]]);
    const actions = tf.tensor2d([[1]]);
    // softmax = [0.25, 0.75].
    expect(categorical.logProb(logits, actions).dataSync()[0]).toBeCloseTo(Math.log(0.75), 5);
    expect(categorical.entropy(logits).dataSync()[0]).toBeCloseTo(
      -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)),
      5,
    );
    expect(categorical.mode([0, Math.log(3)])).toEqual([1]);
    tf.dispose([logits, actions]);
  });

  it("samples a categorical with its probabilities and reports each sample's log-probability", () => {
    const categorical = new Categorical(2);
    const random = new Random(1);
    let ones = 0;
    for (let i = 0; i < 4000; i++) {
      const { action, logProb } = categorical.sample([0, Math.log(3)], random);
      ones += action[0]!;
      expect(logProb).toBeCloseTo(Math.log(action[0] === 1 ? 0.75 : 0.25), 10);
    }
    expect(ones / 4000).toBeCloseTo(0.75, 1);
  });

  it("gives a diagonal Gaussian's log-probabilities and entropy from its means and learned log-std", () => {
    const gaussian = new DiagonalGaussian("test-gaussian-1", 2);
    gaussian.loadTensors({ log_std: { shape: [2], values: [Math.log(2), 0] } });
    const means = tf.tensor2d([[0, 1]]);
    const actions = tf.tensor2d([[1, 1]]);
    const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
    // dim 0: z = 0.5 → −0.125 − ln 2 − ½ln 2π; dim 1: z = 0 → −½ln 2π.
    expect(gaussian.logProb(means, actions).dataSync()[0]).toBeCloseTo(
      -0.125 - Math.log(2) - 2 * halfLog2Pi,
      5,
    );
    expect(gaussian.entropy(means).dataSync()[0]).toBeCloseTo(Math.log(2) + 2 * (0.5 + halfLog2Pi), 5);
    expect(gaussian.mode([0, 1])).toEqual([0, 1]);
    expect(() => gaussian.loadTensors({ log_std: { shape: [3], values: [0, 0, 0] } })).toThrow(
      /has shape \[3\], the Gaussian policy needs \[2\]/,
    );
    tf.dispose([means, actions]);
    gaussian.dispose();
  });

  it("samples a diagonal Gaussian around its means, with the log-probability its tensor formula gives", () => {
    const gaussian = new DiagonalGaussian("test-gaussian-2", 1, Math.log(0.5));
    const random = new Random(2);
    const samples: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const { action, logProb } = gaussian.sample([3], random);
      samples.push(action[0]!);
      if (i < 5) {
        const [means, actions] = [tf.tensor2d([[3]]), tf.tensor2d([action])];
        expect(gaussian.logProb(means, actions).dataSync()[0]).toBeCloseTo(logProb, 4);
        tf.dispose([means, actions]);
      }
    }
    const average = mean(samples);
    const std = Math.sqrt(mean(samples.map((x) => (x - average) ** 2)));
    expect(average).toBeCloseTo(3, 1);
    expect(std).toBeCloseTo(0.5, 1);
    gaussian.dispose();
  });
});
