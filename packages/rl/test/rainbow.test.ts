// Smoke version of the Rainbow gate (the full one is `bench -- rainbow CartPole-v1`), and its parts.
import { beforeAll, describe, expect, it } from "vitest";
import { Rainbow, type RainbowOptions } from "../src/algorithms/rainbow.js";
import type { TrainStats } from "../src/core/algorithm.js";
import { Random } from "../src/core/random.js";
import { box, discrete } from "../src/core/spaces.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { NoisyDense } from "../src/nn/noisy-dense.js";

beforeAll(async () => {
  await initBackend();
});

/** A small, fast configuration: every part on, sized for a test. */
const small: Omit<RainbowOptions, "seed"> = {
  hiddenSizes: [64, 64],
  batchSize: 64,
  trainEvery: 4,
  learningStarts: 500,
  targetUpdateInterval: 250,
  atoms: 21,
  vMin: 0,
  vMax: 100,
  priorityBetaSteps: 4_000,
};

const make = (seed: number, options: Omit<RainbowOptions, "seed"> = small) => {
  const env = createCartPole();
  return { env, algo: new Rainbow(env.observationSpace, env.actionSpace, { ...options, seed }) };
};

/** Observations spread over CartPole's typical states. */
const probes = (count: number) => {
  const random = new Random(123);
  return Array.from({ length: count }, () => [0.5, 1, 0.1, 1].map((scale) => random.uniform(-scale, scale)));
};

/** Steps `env` with `algo` as `train()` does, returning every update's figures. */
const collectStats = (algo: Rainbow, env: ReturnType<typeof createCartPole>, steps: number) => {
  const stats: TrainStats[] = [];
  let { observation } = env.reset({ seed: 1 });
  for (let step = 0; step < steps; step++) {
    const action = algo.act(observation, { explore: true });
    const result = env.step(action);
    algo.observe({
      observation,
      action,
      reward: result.reward,
      nextObservation: result.observation,
      terminated: result.terminated,
      truncated: result.truncated,
    });
    const figures = algo.train();
    if (figures) stats.push(figures);
    observation = result.terminated || result.truncated ? env.reset().observation : result.observation;
  }
  return stats;
};

describe("Rainbow", () => {
  it("learns CartPole well above a random policy's ~22 steps", () => {
    const { env, algo } = make(1);
    train(algo, env, { steps: 4_000, seed: 1 });
    const score = mean(evaluate(algo, createCartPole(), { episodes: 10, seed: 99 }));
    algo.dispose();
    expect(score).toBeGreaterThan(150);
  });

  it("reproduces a run from its seed", () => {
    const run = () => {
      const { env, algo } = make(7, { ...small, learningStarts: 100 });
      train(algo, env, { steps: 300, seed: 7 });
      const saved = algo.save();
      algo.dispose();
      return saved.tensors;
    };
    const first = run();
    expect(first["online/advantage1/weight_sigma"]).toBeDefined();
    expect(run()).toEqual(first);
  });

  it("restores a checkpoint to the same greedy actions", () => {
    const { env, algo } = make(2, { ...small, learningStarts: 100 });
    train(algo, env, { steps: 300, seed: 2 });
    const copy = make(3, { ...small, learningStarts: 100 }).algo;
    const observations = probes(64);
    const before = copy.greedyActions(observations);
    copy.load(JSON.parse(JSON.stringify(algo.save())));
    const restored = copy.greedyActions(observations);
    expect(restored).toEqual(algo.greedyActions(observations));
    expect(restored).not.toEqual(before);
    expect(observations.map((o) => copy.act(o))).toEqual(restored);
    algo.dispose();
    copy.dispose();
  });

  it("refuses checkpoints of another algorithm or shape, saying which", () => {
    const { algo } = make(1);
    const saved = algo.save();
    expect(() => algo.load({ ...saved, algorithm: "q-learning" })).toThrow(
      /Checkpoint is for q-learning, not rainbow/,
    );
    expect(() =>
      algo.load({ ...saved, hyperparameters: { ...saved.hyperparameters, hidden_sizes: [32] } }),
    ).toThrow(/hidden_sizes=\[32\], this Rainbow has hidden_sizes=\[64,64\]/);
    expect(() => algo.load({ ...saved, state: { ...saved.state, actions: 3 } })).toThrow(
      /Checkpoint is for 4 observation features and 3 actions, this Rainbow has 4 and 2/,
    );
    const misshapen = JSON.parse(JSON.stringify(saved));
    misshapen.tensors["target/value1/weight_mean"].shape = [64, 20];
    expect(() => algo.load(misshapen)).toThrow(
      /"target\/value1\/weight_mean" has shape \[64,20\], this network needs \[64,21\]/,
    );
    expect(() => algo.load({ algorithm: "rainbow" })).toThrow();
    algo.dispose();
  });

  it("refuses a continuous action space", () => {
    expect(() => new Rainbow(box(-1, 1, 4), box(-1, 1, 1), { seed: 1 })).toThrow(
      /needs a Discrete action space/,
    );
  });

  it("does not leak tensors across act and train", () => {
    const { env, algo } = make(4, { ...small, learningStarts: 50, trainEvery: 1, batchSize: 16 });
    train(algo, env, { steps: 100, seed: 4 });
    const observation = probes(1)[0]!;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const action = algo.act(observation, { explore: true });
      algo.observe({
        observation,
        action,
        reward: 1,
        nextObservation: observation,
        terminated: false,
        truncated: false,
      });
      algo.train();
      algo.act(observation);
    }
    expect(tf.memory().numTensors).toBe(before);
    algo.dispose();
  });

  it("trains with each of its six parts switched off", () => {
    const parts: Omit<RainbowOptions, "seed">[] = [
      { distributional: false },
      { noisy: false },
      { prioritized: false },
      { nSteps: 1 },
      { dueling: false },
      { double: false },
      { distributional: false, noisy: false, prioritized: false, nSteps: 1, dueling: false, double: false },
    ];
    for (const part of parts) {
      const label = JSON.stringify(part);
      const { env, algo } = make(5, { ...small, trainEvery: 1, batchSize: 16, learningStarts: 32, ...part });
      const stats = collectStats(algo, env, 48);
      expect(stats.length, label).toBe(48 - 32 + 1);
      expect(
        stats.every((figures) => Number.isFinite(figures.loss)),
        label,
      ).toBe(true);
      expect("beta" in stats[0]!, label).toBe(part.prioritized !== false);
      expect("epsilon" in stats[0]!, label).toBe(part.noisy === false);
      algo.dispose();
    }
  });

  it("anneals the importance-sampling exponent β to 1", () => {
    const options = { ...small, trainEvery: 1, batchSize: 16, learningStarts: 16 };
    const { algo } = make(6, { ...options, nSteps: 1, priorityBetaStart: 0.4, priorityBetaSteps: 60 });
    const observation = probes(1)[0]!;
    const betas: [step: number, beta: number][] = [];
    for (let step = 1; step <= 80; step++) {
      const transition = { observation, action: step % 2, reward: 1, nextObservation: observation };
      algo.observe({ ...transition, terminated: false, truncated: false });
      const stats = algo.train();
      if (stats) betas.push([step, stats.beta!]);
    }
    expect(betas[0]).toEqual([16, expect.closeTo(0.4 + 0.6 * (16 / 60), 6)]);
    expect(betas.find(([step]) => step === 30)![1]).toBeCloseTo(0.4 + 0.6 * (30 / 60), 6);
    expect(betas.filter(([step]) => step >= 60).every(([, beta]) => beta === 1)).toBe(true);
    algo.dispose();
  });

  it("explores through its noisy layers, and acts on their means when greedy", () => {
    const { algo } = make(8, { ...small, learningStarts: 0, sigma0: 4 });
    const observations = probes(200);
    const greedy = algo.greedyActions(observations);
    expect(algo.greedyActions(observations)).toEqual(greedy);
    expect(algo.greedyActions(observations, { noise: true })).not.toEqual(greedy);
    algo.dispose();
  });
});

describe("NoisyDense", () => {
  it("adds factorised noise: σ ⊙ f(ε_in) f(ε_out)ᵀ to the weights, σ ⊙ f(ε_out) to the bias", () => {
    const layer = new NoisyDense(3, 4, new Random(1), { sigma0: 0.5 });
    layer.resetNoise(new Random(2));
    const [noisy, clean] = tf.tidy(() => {
      const inputs = tf.tensor2d([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], [4, 3]);
      return [
        layer.apply(inputs, { noise: true }).arraySync(),
        layer.apply(inputs, { noise: false }).arraySync(),
      ];
    });
    layer.dispose();
    const diff = noisy!.map((row, i) => row.map((value, j) => value - clean![i]![j]!));
    // Row 0 (x = 0) is the bias noise σ_b ⊙ f(ε_out); row i adds σ_w ⊙ f(ε_in_i) f(ε_out), σ_w = σ_b at init.
    const biasNoise = diff[0]!;
    expect(biasNoise.every((value) => Math.abs(value) > 1e-4)).toBe(true);
    for (let i = 1; i < 4; i++) {
      const weightNoise = diff[i]!.map((value, j) => value - biasNoise[j]!);
      const ratio = weightNoise[0]! / biasNoise[0]!;
      expect(Math.abs(ratio)).toBeGreaterThan(1e-3);
      weightNoise.forEach((value, j) => {
        expect(value).toBeCloseTo(ratio * biasNoise[j]!, 5);
      });
    }
  });

  it("draws its noise from the seeded Random", () => {
    const output = (noiseSeed: number) => {
      const layer = new NoisyDense(3, 2, new Random(1));
      layer.resetNoise(new Random(noiseSeed));
      const input = tf.ones([1, 3]) as tf.Tensor2D;
      const values = Array.from(layer.apply(input, { noise: true }).dataSync());
      tf.dispose(input);
      layer.dispose();
      return values;
    };
    expect(output(5)).toEqual(output(5));
    expect(output(5)).not.toEqual(output(6));
  });
});

describe("Rainbow spaces", () => {
  it("accepts Discrete observations, one-hot", () => {
    const algo = new Rainbow(discrete(5), discrete(3), {
      ...small,
      seed: 1,
      learningStarts: 32,
      trainEvery: 1,
      batchSize: 16,
    });
    const random = new Random(3);
    let stats: TrainStats | undefined;
    for (let step = 0; step < 40; step++) {
      const observation = random.int(5);
      const action = algo.act(observation, { explore: true });
      algo.observe({
        observation,
        action,
        reward: observation === 4 ? 1 : 0,
        nextObservation: random.int(5),
        terminated: false,
        truncated: false,
      });
      stats = algo.train() ?? stats;
    }
    expect(Number.isFinite(stats?.loss)).toBe(true);
    expect([0, 1, 2, 3, 4].map((state) => algo.act(state)).every((action) => action >= 0 && action < 3)).toBe(
      true,
    );
    algo.dispose();
  });
});
