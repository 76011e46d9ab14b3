import { describe, expect, it } from "vitest";
import { NStepAccumulator } from "../src/buffers/n-step.js";
import { PrioritizedReplayBuffer } from "../src/buffers/prioritized-replay-buffer.js";
import { ReplayBuffer } from "../src/buffers/replay-buffer.js";
import { SumTree } from "../src/buffers/sum-tree.js";
import { box, discrete, Random } from "../src/index.js";

const step = (i: number, terminated = false) => ({
  observation: [i, 0],
  action: i % 2,
  reward: i,
  nextObservation: [i + 1, 0],
  terminated,
  truncated: false,
});

describe("ReplayBuffer", () => {
  it("overwrites the oldest transitions once full and samples only stored ones", () => {
    const buffer = new ReplayBuffer(3, box(-10, 10, 2), discrete(2));
    for (let i = 0; i < 5; i++) buffer.add(step(i, i === 4));
    expect(buffer.size).toBe(3);
    const batch = buffer.sample(200, new Random(1));
    const rewards = new Set(batch.rewards);
    expect([...rewards].sort()).toEqual([2, 3, 4]);
    batch.indices.forEach((_slot, row) => {
      expect(batch.observations[row * 2]).toBe(batch.rewards[row]);
      expect(batch.dones[row]).toBe(batch.rewards[row] === 4 ? 1 : 0);
    });
  });

  it("stores Discrete observations one-hot", () => {
    const buffer = new ReplayBuffer(2, discrete(4), discrete(2));
    buffer.add({
      observation: 2,
      action: 1,
      reward: 0,
      nextObservation: 3,
      terminated: false,
      truncated: false,
    });
    const batch = buffer.sample(1, new Random(1));
    expect(Array.from(batch.observations)).toEqual([0, 0, 1, 0]);
    expect(Array.from(batch.nextObservations)).toEqual([0, 0, 0, 1]);
  });
});

describe("SumTree", () => {
  it("finds the leaf whose prefix sum covers a mass", () => {
    const tree = new SumTree(5);
    [1, 0, 2, 3, 4].forEach((priority, i) => {
      tree.set(i, priority);
    });
    expect(tree.total).toBe(10);
    expect([0, 0.99, 1, 2.99, 3, 5.99, 6, 9.99].map((mass) => tree.find(mass))).toEqual([
      0, 0, 2, 2, 3, 3, 4, 4,
    ]);
  });
});

describe("PrioritizedReplayBuffer", () => {
  it("samples in proportion to priority and weights rare samples up", () => {
    const buffer = new PrioritizedReplayBuffer(4, box(-10, 10, 2), discrete(2), { alpha: 1, epsilon: 0 });
    for (let i = 0; i < 4; i++) buffer.add(step(i));
    buffer.updatePriorities(Int32Array.from([0, 1, 2, 3]), [1, 1, 1, 7]);
    const random = new Random(2);
    let high = 0;
    let samples = 0;
    for (let round = 0; round < 200; round++) {
      const batch = buffer.sample(10, random, 1);
      batch.indices.forEach((slot, i) => {
        samples += 1;
        if (slot === 3) {
          high += 1;
          expect(batch.weights[i]).toBeLessThan(1);
        }
      });
    }
    expect(high / samples).toBeCloseTo(0.7, 1);
  });
});

describe("NStepAccumulator", () => {
  it("folds n rewards with discounts, and flushes shorter returns when the episode ends", () => {
    const accumulator = new NStepAccumulator(3, 0.5);
    const out = [step(0), step(1), step(2), step(3, true)].flatMap((t) => accumulator.push(t));
    expect(out.map((o) => o.transition.reward)).toEqual([
      0 + 0.5 * 1 + 0.25 * 2,
      1 + 0.5 * 2 + 0.25 * 3,
      2 + 0.5 * 3,
      3,
    ]);
    expect(out.map((o) => o.discount)).toEqual([0.125, 0.125, 0.25, 0.5]);
    expect(out.map((o) => o.transition.terminated)).toEqual([false, true, true, true]);
    expect(out[0]!.transition.nextObservation).toEqual([3, 0]);
  });
});
