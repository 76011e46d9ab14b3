// Smoke version of the Q-learning gate (the full one is `bench -- q-learning FrozenLake-v1`).
import { describe, expect, it } from "vitest";
import { createFrozenLake, evaluate, mean, QLearning, train } from "../src/index.js";

const make = (seed: number) => {
  const env = createFrozenLake();
  return {
    env,
    algo: new QLearning(env.observationSpace, env.actionSpace, {
      seed,
      learningRate: 0.05,
      epsilonSteps: 50_000,
    }),
  };
};

describe("QLearning", () => {
  it("learns slippery FrozenLake well above a random policy's 1.5% success", () => {
    const { env, algo } = make(1);
    train(algo, env, { steps: 100_000, seed: 1 });
    const success = mean(evaluate(algo, createFrozenLake(), { episodes: 500, seed: 99 }));
    expect(success).toBeGreaterThan(0.5);
  });

  it("reproduces a run from its seed", () => {
    const run = () => {
      const { env, algo } = make(7);
      train(algo, env, { steps: 5_000, seed: 7 });
      return algo.save().tensors.q!.values;
    };
    expect(run()).toEqual(run());
  });

  it("restores a checkpoint to the same greedy policy, and refuses one of another shape", () => {
    const { env, algo } = make(2);
    train(algo, env, { steps: 20_000, seed: 2 });
    const copy = make(3).algo;
    copy.load(JSON.parse(JSON.stringify(algo.save())));
    for (let state = 0; state < 16; state++) {
      for (let action = 0; action < 4; action++)
        expect(copy.value(state, action)).toBe(algo.value(state, action));
    }
    const bad = algo.save();
    bad.tensors.q!.shape = [8, 4];
    expect(() => copy.load(bad)).toThrow(/Q-table is \[8,4\]/);
    expect(() => copy.load({ algorithm: "q-learning" })).toThrow();
  });
});
