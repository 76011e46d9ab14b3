// DQN: a smoke version of the CartPole gate (the full one is `bench -- dqn CartPole-v1`), the
// bootstrap rules, target updates, reproducibility, checkpoints and clear errors.
import { beforeAll, describe, expect, it } from "vitest";
import { Dqn, type DqnOptions } from "../src/algorithms/dqn.js";
import type { Transition } from "../src/core/algorithm.js";
import { Random } from "../src/core/random.js";
import { box, discrete } from "../src/core/spaces.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { createFrozenLake } from "../src/envs/frozen-lake.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { QNetwork } from "../src/nn/q-network.js";

beforeAll(async () => {
  await initBackend();
});

const cartPoleDqn = (seed: number, options: Partial<DqnOptions> = {}) => {
  const env = createCartPole();
  return {
    env,
    algo: new Dqn(env.observationSpace, env.actionSpace, {
      seed,
      learningRate: 1e-3,
      batchSize: 64,
      learningStarts: 500,
      targetUpdateInterval: 250,
      trainFrequency: 4,
      epsilonEnd: 0.04,
      epsilonSteps: 3_000,
      hiddenSizes: [64, 64],
      ...options,
    }),
  };
};

/** A one-state problem: reward 1 for either action, the episode ending (or cut short) every step. */
const oneStep = (ending: "terminated" | "truncated"): Transition<number[], number> => ({
  observation: [0.5],
  action: 0,
  reward: 1,
  nextObservation: [0.5],
  terminated: ending === "terminated",
  truncated: ending === "truncated",
});

const bandit = (options: Partial<DqnOptions> = {}) =>
  new Dqn(box(-1, 1, 1), discrete(2), {
    seed: 3,
    learningRate: 3e-2,
    gamma: 0.5,
    batchSize: 16,
    learningStarts: 16,
    trainFrequency: 1,
    targetUpdateInterval: 10,
    hiddenSizes: [16],
    ...options,
  });

describe("Dqn", () => {
  it("learns CartPole well above a random policy's mean return of about 22", () => {
    const { env, algo } = cartPoleDqn(1);
    try {
      train(algo, env, { steps: 10_000, seed: 1 });
      const returns = evaluate(algo, createCartPole(), { episodes: 10, seed: 99 });
      expect(mean(returns)).toBeGreaterThan(100);
    } finally {
      algo.dispose();
    }
  });

  it("learns a Discrete-observation task: the shortest safe path across a non-slippery FrozenLake", () => {
    const env = createFrozenLake({ slippery: false });
    const algo = new Dqn(env.observationSpace, env.actionSpace, {
      seed: 4,
      learningRate: 1e-2,
      gamma: 0.9,
      learningStarts: 200,
      targetUpdateInterval: 50,
      epsilonSteps: 1_500,
      hiddenSizes: [32],
    });
    try {
      train(algo, env, { steps: 2_500, seed: 4 });
      expect(mean(evaluate(algo, createFrozenLake({ slippery: false }), { episodes: 5, seed: 5 }))).toBe(1);
    } finally {
      algo.dispose();
    }
  });

  it.each([false, true])(
    "bootstraps through truncation but not through termination (dueling %s)",
    (dueling) => {
      // With γ = 0.5 the value is 1 when each step ends the episode, 1 / (1 − γ) = 2 when it is only cut short.
      for (const [ending, expected] of [
        ["terminated", 1],
        ["truncated", 2],
      ] as const) {
        const algo = bandit({ dueling });
        try {
          for (let step = 0; step < 300; step++) {
            algo.observe(oneStep(ending));
            algo.train();
          }
          expect(algo.qValues([[0.5]])[0]![0]).toBeCloseTo(expected, 1);
        } finally {
          algo.dispose();
        }
      }
    },
  );

  it("copies the online network into the target every targetUpdateInterval steps, or moves it by τ", () => {
    const online = (algo: Dqn) =>
      Object.entries(algo.save().tensors).filter(([key]) => key.startsWith("online/"));
    const target = (algo: Dqn, key: string) => algo.save().tensors[key.replace("online/", "target/")]!.values;
    const hard = bandit({ targetUpdateInterval: 10 });
    const soft = bandit({ targetUpdateInterval: 1, tau: 0.5 });
    try {
      for (let step = 0; step < 25; step++) {
        hard.observe(oneStep("truncated"));
        hard.train();
      }
      // Trained at steps 16 … 25, last copied at step 20.
      for (const [key, tensor] of online(hard)) expect(target(hard, key)).not.toEqual(tensor.values);
      for (let step = 25; step < 30; step++) {
        hard.observe(oneStep("truncated"));
        hard.train();
      }
      for (const [key, tensor] of online(hard)) expect(target(hard, key)).toEqual(tensor.values);

      for (let step = 0; step < 16; step++) soft.observe(oneStep("truncated"));
      const before = Object.fromEntries(online(soft).map(([key]) => [key, target(soft, key)]));
      soft.train();
      for (const [key, tensor] of online(soft)) {
        const expected = tensor.values.map((value, i) => 0.5 * value + 0.5 * before[key]![i]!);
        target(soft, key).forEach((value, i) => {
          expect(value).toBeCloseTo(expected[i]!, 5);
        });
      }
    } finally {
      hard.dispose();
      soft.dispose();
    }
  });

  it("reproduces a run from its seed", () => {
    const run = () => {
      const { env, algo } = cartPoleDqn(7, { learningStarts: 200, trainFrequency: 50, gradientSteps: 4 });
      try {
        train(algo, env, { steps: 600, seed: 7 });
        return algo.save().tensors;
      } finally {
        algo.dispose();
      }
    };
    expect(run()).toEqual(run());
  });

  it("leaks no tensors across act and train calls", () => {
    const { env, algo } = cartPoleDqn(5, { learningStarts: 100, trainFrequency: 10, gradientSteps: 2 });
    try {
      train(algo, env, { steps: 200, seed: 5 });
      const before = tf.memory().numTensors;
      train(algo, env, { steps: 300, seed: 6 });
      evaluate(algo, createCartPole(), { episodes: 2, seed: 7 });
      algo.save();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      algo.dispose();
    }
  });

  it("restores both networks and its counters from a checkpoint, and keeps to the same greedy policy", () => {
    const { env, algo } = cartPoleDqn(2, { learningStarts: 200, trainFrequency: 50, gradientSteps: 8 });
    const copy = cartPoleDqn(3, { learningStarts: 200, trainFrequency: 50, gradientSteps: 8 }).algo;
    try {
      train(algo, env, { steps: 1_000, seed: 2 });
      const saved = algo.save();
      copy.load(JSON.parse(JSON.stringify(saved)));
      expect(copy.save().tensors).toEqual(saved.tensors);
      expect(copy.save().state).toEqual(saved.state);
      expect(copy.envSteps).toBe(1_000);
      const random = new Random(11);
      const observations = Array.from({ length: 200 }, () =>
        Array.from({ length: 4 }, () => random.uniform(-0.2, 0.2)),
      );
      expect(copy.greedyActions(observations)).toEqual(algo.greedyActions(observations));
      expect(copy.qValues(observations)).toEqual(algo.qValues(observations));
    } finally {
      algo.dispose();
      copy.dispose();
    }
  });

  it("refuses a checkpoint of another algorithm, architecture or shape, changing nothing", () => {
    const { algo } = cartPoleDqn(2);
    const other = cartPoleDqn(9).algo;
    const wider = cartPoleDqn(2, { hiddenSizes: [32, 64] }).algo;
    const dueling = cartPoleDqn(2, { dueling: true }).algo;
    try {
      const before = algo.save();
      expect(() => algo.load({ ...before, algorithm: "q-learning" })).toThrow(
        /Checkpoint is for q-learning, not dqn/,
      );
      expect(() => algo.load(wider.save())).toThrow(
        /hidden layers are \[32,64\], this network's are \[64,64\]/,
      );
      expect(() => algo.load(dueling.save())).toThrow(/Q-network is dueling, this one is not dueling/);
      // Another network's weights, all valid but one: none of them may be loaded.
      const reshaped = other.save();
      reshaped.tensors["target/q/w1"]!.shape = [64, 32];
      expect(() => algo.load(reshaped)).toThrow(/"target\/q\/w1" has shape \[64,32\].*needs \[64,64\]/);
      const missing = structuredClone(before);
      delete missing.tensors["online/q/b2"];
      expect(() => algo.load(missing)).toThrow(/no tensor "online\/q\/b2"/);
      expect(() => algo.load({ ...before, state: { envSteps: -1 } })).toThrow(/"envSteps" must be/);
      expect(() => algo.load({ algorithm: "dqn" })).toThrow();
      expect(algo.save()).toEqual(before);
    } finally {
      algo.dispose();
      other.dispose();
      wider.dispose();
      dueling.dispose();
    }
  });

  it("refuses a continuous action space and invalid options with what it needs", () => {
    expect(() => new Dqn(box(-1, 1, 3), box(-2, 2, 1), { seed: 1 })).toThrow(
      /DQN needs a Discrete action space, got a Box of shape \[1\]/,
    );
    expect(() => new Dqn(box(-1, 1, 3), discrete(2), { seed: 1, tau: 0 })).toThrow(
      /tau must be within \(0, 1\]/,
    );
    expect(() => new Dqn(box(-1, 1, 3), discrete(2), { seed: 1, trainFrequency: 0.5 })).toThrow(
      /train_frequency must be a positive integer, got 0.5/,
    );
  });
});

describe("QNetwork", () => {
  it("combines a dueling head as V + A − mean A, so the mean over actions of Q is V", () => {
    const network = new QNetwork("probe", 3, 4, new Random(1), { hiddenSizes: [8], dueling: true });
    try {
      const input = tf.tensor2d([
        [0.1, -0.2, 0.3],
        [1, 2, -3],
      ]);
      const q = network.apply(input);
      const tensors = network.toTensors();
      // V(s) by hand from the saved weights: relu(x·W0 + b0)·Wv + bv.
      const w0 = tensors["probe/torso/w0"]!.values;
      const b0 = tensors["probe/torso/b0"]!.values;
      const wv = tensors["probe/value/w0"]!.values;
      const bv = tensors["probe/value/b0"]!.values[0]!;
      const rows = input.arraySync();
      q.arraySync().forEach((row, r) => {
        const features = b0.map((bias, j) =>
          Math.max(0, bias + rows[r]!.reduce((sum, x, i) => sum + x * w0[i * 8 + j]!, 0)),
        );
        const value = bv + features.reduce((sum, f, j) => sum + f * wv[j]!, 0);
        expect(mean(row)).toBeCloseTo(value, 5);
      });
      tf.dispose([input, q]);
    } finally {
      network.dispose();
    }
  });

  it("lets two networks of one name live side by side, saving under the stable name", () => {
    const first = new QNetwork("online", 2, 2, new Random(1), { hiddenSizes: [4] });
    const second = new QNetwork("online", 2, 2, new Random(2), { hiddenSizes: [4] });
    try {
      expect(Object.keys(first.toTensors())).toEqual([
        "online/q/w0",
        "online/q/b0",
        "online/q/w1",
        "online/q/b1",
      ]);
      second.loadTensors(first.toTensors());
      expect(second.toTensors()).toEqual(first.toTensors());
    } finally {
      first.dispose();
      second.dispose();
    }
  });
});
