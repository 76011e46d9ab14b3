// The causal transformer, the Decision Transformer and its behaviour-cloning baseline. The full
// comparison is `node --import tsx bench/decision-transformer.ts --seed N`; this is its smoke version.
import { beforeAll, describe, expect, it } from "vitest";
import { BehaviourCloning } from "../src/algorithms/behaviour-cloning.js";
import { DecisionTransformer, evaluateWithRewards } from "../src/algorithms/decision-transformer.js";
import { Random } from "../src/core/random.js";
import { box, discrete } from "../src/core/spaces.js";
import { mean } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { initBackend, tf } from "../src/nn/backend.js";
import { CausalTransformer, causalMask } from "../src/nn/transformer.js";
import { createMixedCartPoleDataset, type Trajectory } from "../src/offline/trajectories.js";

beforeAll(async () => {
  await initBackend();
});

const env = createCartPole();
/** A small dataset (3 expert, 15 medium, 12 poor episodes) and a small model, so tests train in seconds. */
const dataset = createMixedCartPoleDataset({ seed: 1, episodes: 30 });
const small = { targetReturn: 500, contextLength: 5, width: 16, batchSize: 32, maxTimestep: 500 };
const createDt = (seed: number, overrides: Partial<typeof small> = {}) =>
  new DecisionTransformer(env.observationSpace, env.actionSpace, { seed, ...small, ...overrides });

/** The greedy actions of `steps` steps from a seeded reset, rewards fed back. */
function rollout(algorithm: DecisionTransformer | BehaviourCloning, seed: number, steps: number): number[] {
  const actions: number[] = [];
  const cartPole = createCartPole();
  let { observation } = cartPole.reset({ seed });
  if (algorithm instanceof DecisionTransformer) algorithm.beginEpisode();
  for (let t = 0; t < steps; t++) {
    const action = algorithm.act(observation);
    const result = cartPole.step(action);
    algorithm.observe({ ...result, observation, action, nextObservation: result.observation });
    actions.push(action);
    if (result.terminated || result.truncated) break;
    observation = result.observation;
  }
  return actions;
}

describe("CausalTransformer", () => {
  it("masks every later position with a large negative", () => {
    const mask = causalMask(3);
    expect(Array.from(mask.dataSync())).toEqual([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0]);
    mask.dispose();
  });

  it("keeps earlier outputs unchanged when a later token changes, and only those", () => {
    const width = 8;
    const length = 6;
    const transformer = new CausalTransformer("gpt", { width, heads: 2, layers: 2 }, new Random(3));
    const random = new Random(4);
    const values = Array.from({ length: length * width }, () => random.normal());
    const changedAt = 3;
    // Not a uniform shift: layer norm would cancel it.
    const changed = values.map((value, i) =>
      Math.floor(i / width) === changedAt ? value + random.normal() : value,
    );
    const run = (input: number[]) =>
      tf.tidy(() => Array.from(transformer.apply(tf.tensor3d(input, [1, length, width])).dataSync()));
    const before = run(values);
    const after = run(changed);
    for (let position = 0; position < length; position++) {
      const slice = (output: number[]) => output.slice(position * width, (position + 1) * width);
      const difference = Math.max(...slice(before).map((value, i) => Math.abs(value - slice(after)[i]!)));
      if (position < changedAt) expect(difference).toBe(0);
      else expect(difference).toBeGreaterThan(1e-5);
    }
  });
});

describe("DecisionTransformer", () => {
  it("learns CartPole from mixed-quality data well above a random policy's ~22", () => {
    const dt = createDt(1);
    const first = dt.fit(dataset, { steps: 5 }).loss;
    const last = dt.fit(dataset, { steps: 95 }).loss;
    const returns = evaluateWithRewards(dt, createCartPole(), { episodes: 3, seed: 42 });
    expect(last).toBeLessThan(first);
    expect(mean(returns)).toBeGreaterThan(150);
    dt.dispose();
  });

  it("reproduces training and acting from its seed", () => {
    const run = () => {
      const dt = createDt(7);
      const losses = [dt.fit(dataset, { steps: 3 }).loss, dt.train()!.loss];
      const actions = rollout(dt, 5, 30);
      const weights = dt.save().tensors;
      dt.dispose();
      return { losses, actions, weights };
    };
    const first = run();
    expect(run()).toEqual(first);
    const other = createDt(8);
    expect(other.fit(dataset, { steps: 3 }).loss).not.toBe(first.losses[0]);
    other.dispose();
  });

  it("restores a checkpoint to the same greedy actions, and refuses another algorithm's or shape", () => {
    const dt = createDt(2);
    dt.fit(dataset, { steps: 10 });
    const copy = createDt(3);
    copy.load(JSON.parse(JSON.stringify(dt.save())));
    expect(rollout(copy, 11, 60)).toEqual(rollout(dt, 11, 60));
    const wider = createDt(3, { width: 32 });
    expect(() => wider.load(dt.save())).toThrow(/width \(16 there, 32 here\)/);
    const bc = new BehaviourCloning(env.observationSpace, env.actionSpace, { seed: 1 });
    expect(() => copy.load(bc.save())).toThrow(/for behaviour-cloning, not decision-transformer/);
    const broken = dt.save();
    broken.tensors["embed_state.weight"]!.shape = [5, 16];
    expect(() => copy.load(broken)).toThrow(/"embed_state.weight" has shape \[5,16\], .* needs \[4,16\]/);
    for (const algorithm of [dt, copy, wider, bc]) algorithm.dispose();
  });

  it("starts a fresh context when an episode ends, so an episode's actions do not depend on earlier ones", () => {
    const dt = createDt(4);
    dt.fit(dataset, { steps: 10 });
    const cartPole = createCartPole();
    let { observation } = cartPole.reset({ seed: 20 });
    for (;;) {
      const action = dt.act(observation);
      const result = cartPole.step(action);
      dt.observe({ ...result, observation, action, nextObservation: result.observation });
      if (result.terminated || result.truncated) break;
      observation = result.observation;
    }
    const fresh = createDt(5);
    fresh.load(dt.save());
    const next = (algorithm: DecisionTransformer) => {
      const actions: number[] = [];
      let current = cartPole.reset({ seed: 21 }).observation;
      for (let t = 0; t < 40; t++) {
        const action = algorithm.act(current);
        const result = cartPole.step(action);
        algorithm.observe({ ...result, observation: current, action, nextObservation: result.observation });
        actions.push(action);
        if (result.terminated || result.truncated) break;
        current = result.observation;
      }
      return actions;
    };
    expect(next(dt)).toEqual(next(fresh));
    dt.dispose();
    fresh.dispose();
  });

  it("asks for observe after each act, refuses wrong spaces and bad trajectories", () => {
    const dt = createDt(1);
    const { observation } = createCartPole().reset({ seed: 1 });
    dt.act(observation);
    expect(() => dt.act(observation)).toThrow(/needs observe\(transition\) after each act/);
    dt.beginEpisode();
    expect(() => dt.act(observation)).not.toThrow();
    expect(() => new DecisionTransformer(discrete(16), discrete(4), { seed: 1, targetReturn: 1 })).toThrow(
      /one-dimensional Box observation space and a Discrete action space, got discrete and discrete/,
    );
    expect(() => new DecisionTransformer(box(-1, 1, 3), box(-1, 1, 1), { seed: 1, targetReturn: 1 })).toThrow(
      /got box and box/,
    );
    const bad: Trajectory = { observations: [[0, 0, 0, 0]], actions: [2], rewards: [1], terminated: true };
    expect(() => dt.fit([bad], { steps: 1 })).toThrow(/Trajectory 0 has actions outside Discrete\(2\)/);
    expect(createDt(1).train()).toBeUndefined();
    dt.dispose();
  });

  it("does not leak tensors across act, observe and train", () => {
    const dt = createDt(9);
    dt.fit(dataset, { steps: 1 });
    rollout(dt, 1, 5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      dt.train();
      rollout(dt, 1, 15);
    }
    expect(tf.memory().numTensors).toBe(before);
    dt.dispose();
  });
});

describe("BehaviourCloning", () => {
  const expertOnly = dataset.filter((episode) => episode.label === "expert");

  it("imitates an expert's episodes well above a random policy", () => {
    const bc = new BehaviourCloning(env.observationSpace, env.actionSpace, { seed: 1 });
    bc.fit(expertOnly, { steps: 300 });
    expect(mean(evaluateWithRewards(bc, createCartPole(), { episodes: 3, seed: 42 }))).toBeGreaterThan(150);
    bc.dispose();
  });

  it("reproduces from its seed, round-trips a checkpoint, and refuses another algorithm's or shape", () => {
    const make = (seed: number, hidden?: number[]) =>
      new BehaviourCloning(env.observationSpace, env.actionSpace, { seed, hidden, dataset });
    const train = (bc: BehaviourCloning) => [1, 2, 3].map(() => bc.train()!.loss);
    const first = make(5);
    const second = make(5);
    expect(train(second)).toEqual(train(first));
    const copy = make(6);
    copy.load(JSON.parse(JSON.stringify(first.save())));
    expect(rollout(copy, 4, 80)).toEqual(rollout(first, 4, 80));
    const narrow = make(1, [8]);
    expect(() => narrow.load(first.save())).toThrow(/has shape \[4,64\], network .* needs \[4,8\]/);
    const dt = createDt(1);
    expect(() => copy.load(dt.save())).toThrow(/for decision-transformer, not behaviour-cloning/);
    expect(() => new BehaviourCloning(discrete(4), discrete(2), { seed: 1 })).toThrow(/Box observation/);
    train(copy); // Adam creates its moment variables on the first step.
    const before = tf.memory().numTensors;
    train(copy);
    rollout(copy, 2, 20);
    expect(tf.memory().numTensors).toBe(before);
    for (const algorithm of [first, second, copy, narrow, dt]) algorithm.dispose();
  });
});
