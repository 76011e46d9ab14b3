// Smoke version of the A2C gate (the full one is `bench -- a2c CartPole-v1`), and A2C's Box actions.
import { beforeAll, describe, expect, it } from "vitest";
import { A2c, type A2cOptions } from "../src/algorithms/a2c.js";
import { Ppo } from "../src/algorithms/ppo.js";
import { Random } from "../src/core/random.js";
import { discrete } from "../src/core/spaces.js";
import { evaluate, mean, train } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { reachTarget } from "./fixtures/reach-target.js";

beforeAll(async () => {
  await initBackend();
});

const cartPoleA2c = (seed: number, options: Partial<A2cOptions> = {}) => {
  const env = createCartPole();
  return { env, a2c: new A2c(env.observationSpace, env.actionSpace, { seed, nSteps: 8, ...options }) };
};

describe("A2c", () => {
  it("learns CartPole well above a random policy's return of about 22", () => {
    const { env, a2c } = cartPoleA2c(1);
    train(a2c, env, { steps: 5000, seed: 1 });
    expect(mean(evaluate(a2c, createCartPole(), { episodes: 10, seed: 99 }))).toBeGreaterThan(150);
    a2c.dispose();
  });

  it("learns a continuous action with its Gaussian policy", () => {
    const env = reachTarget();
    const a2c = new A2c(env.observationSpace, env.actionSpace, {
      seed: 1,
      nSteps: 8,
      learningRate: 3e-3,
      hiddenSizes: [32],
    });
    // The untrained policy's mean action is about 0, earning −E[target²] ≈ −0.33.
    train(a2c, env, { steps: 2000, seed: 1 });
    expect(mean(evaluate(a2c, reachTarget(), { episodes: 200, seed: 5 }))).toBeGreaterThan(-0.03);
    a2c.dispose();
  });

  it("takes one gradient step per rollout of nSteps", () => {
    const { env, a2c } = cartPoleA2c(2, { nSteps: 5 });
    let { observation } = env.reset({ seed: 2 });
    const updatedAt: number[] = [];
    for (let step = 0; step < 15; step++) {
      const action = a2c.act(observation, { explore: true });
      const result = env.step(action as number);
      a2c.observe({ ...result, observation, action, nextObservation: result.observation });
      const stats = a2c.train();
      if (stats) {
        updatedAt.push(step);
        expect(stats.updates).toBe(updatedAt.length);
        expect(Number.isFinite(stats.policy_loss) && Number.isFinite(stats.value_loss)).toBe(true);
      }
      observation = result.terminated || result.truncated ? env.reset().observation : result.observation;
    }
    expect(updatedAt).toEqual([4, 9, 14]);
    a2c.dispose();
  });

  it("reproduces a run from its seed, and Adam gives a different one", () => {
    const run = (optimizer: "rmsprop" | "adam") => {
      const { env, a2c } = cartPoleA2c(7, { optimizer });
      train(a2c, env, { steps: 200, seed: 7 });
      const saved = a2c.save().tensors;
      a2c.dispose();
      return saved;
    };
    const rmsprop = run("rmsprop");
    expect(run("rmsprop")).toEqual(rmsprop);
    expect(run("adam")).not.toEqual(rmsprop);
  });

  it("restores a checkpoint to the same greedy policy and counters", () => {
    const { env, a2c } = cartPoleA2c(3);
    train(a2c, env, { steps: 400, seed: 3 });
    const copy = cartPoleA2c(4).a2c;
    copy.load(JSON.parse(JSON.stringify(a2c.save())));
    const probe = new Random(11);
    for (let i = 0; i < 50; i++) {
      const observation = [0, 0, 0, 0].map(() => probe.uniform(-0.2, 0.2));
      expect(copy.act(observation)).toBe(a2c.act(observation));
    }
    expect(copy.save().tensors).toEqual(a2c.save().tensors);
    expect(copy.save().state).toEqual({ env_steps: 400, updates: 50 });
    a2c.dispose();
    copy.dispose();
  });

  it("refuses a PPO checkpoint and an unknown optimizer", () => {
    const { env, a2c } = cartPoleA2c(1);
    const ppo = new Ppo(env.observationSpace, env.actionSpace, { seed: 1 });
    expect(() => a2c.load(ppo.save())).toThrow(/Checkpoint is for ppo, not a2c/);
    expect(
      () => new A2c(env.observationSpace, discrete(2), { seed: 1, optimizer: "sgd" as unknown as "adam" }),
    ).toThrow(/optimizer is "rmsprop" or "adam", got "sgd"/);
    a2c.dispose();
    ppo.dispose();
  });

  it("leaks no tensors across acting and updates", () => {
    const { env, a2c } = cartPoleA2c(6);
    train(a2c, env, { steps: 8, seed: 6 }); // the first update creates the optimizer's slots
    const before = tf.memory().numTensors;
    train(a2c, env, { steps: 200, seed: 6 });
    evaluate(a2c, createCartPole(), { episodes: 2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    a2c.dispose();
  });
});
