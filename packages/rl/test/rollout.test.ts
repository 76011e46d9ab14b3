// GAE(λ) and the rollout storage, against values computed by hand.
import { describe, expect, it } from "vitest";
import { computeGae, RolloutBuffer } from "../src/algorithms/rollout.js";

const closeTo = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => {
    expect(actual[i]).toBeCloseTo(value, 10);
  });
};

describe("computeGae", () => {
  // γ = 0.9, λ = 0.5, so γλ = 0.45. Step 1 is truncated (a time limit), step 3 terminated,
  // step 4 is the last of the rollout with its episode still going.
  const input = {
    rewards: [1, 2, 1, 3, 1],
    values: [0.5, 0.6, 0.2, 0.3, 0.1],
    nextValues: [0.6, 0.7, 0.3, 9, 0.4],
    terminated: [false, false, false, true, false],
    truncated: [false, true, false, false, false],
    gamma: 0.9,
    lambda: 0.5,
  };

  it("bootstraps a truncated step from V of its next observation, and cuts the λ-trace there", () => {
    const { advantages } = computeGae(input);
    // δ1 = 2 + 0.9·0.7 − 0.6 = 2.03; A1 = δ1 (the next step belongs to another episode).
    expect(advantages[1]).toBeCloseTo(2.03, 10);
    // δ0 = 1 + 0.9·0.6 − 0.5 = 1.04; A0 = 1.04 + 0.45·2.03 = 1.9535.
    expect(advantages[0]).toBeCloseTo(1.9535, 10);
  });

  it("does not bootstrap a terminated step, whatever V of its next observation", () => {
    const { advantages } = computeGae(input);
    // δ3 = 3 − 0.3 = 2.7 (the 9 is ignored).
    expect(advantages[3]).toBeCloseTo(2.7, 10);
    // δ2 = 1 + 0.9·0.3 − 0.2 = 1.07; A2 = 1.07 + 0.45·2.7 = 2.285.
    expect(advantages[2]).toBeCloseTo(2.285, 10);
  });

  it("bootstraps the rollout's last step from V of its next observation, and returns are A + V", () => {
    const { advantages, returns } = computeGae(input);
    // δ4 = 1 + 0.9·0.4 − 0.1 = 1.26.
    closeTo(advantages, [1.9535, 2.03, 2.285, 2.7, 1.26]);
    closeTo(returns, [2.4535, 2.63, 2.485, 3.0, 1.36]);
  });

  it("gives n-step returns with λ = 1 and one-step TD errors with λ = 0", () => {
    const common = {
      rewards: [1, 1, 1],
      values: [0, 0.5, 1],
      nextValues: [0.5, 1, 4],
      terminated: [0, 0, 0],
      truncated: [0, 0, 0],
      gamma: 0.5,
    };
    // G2 = 1 + 0.5·4 = 3, G1 = 1 + 0.5·3 = 2.5, G0 = 1 + 0.5·2.5 = 2.25.
    closeTo(computeGae({ ...common, lambda: 1 }).returns, [2.25, 2.5, 3]);
    // δ0 = 1 + 0.25 − 0 = 1.25, δ1 = 1 + 0.5 − 0.5 = 1, δ2 = 1 + 2 − 1 = 2.
    closeTo(computeGae({ ...common, lambda: 0 }).advantages, [1.25, 1, 2]);
  });

  it("refuses inputs of different lengths", () => {
    expect(() => computeGae({ ...input, values: [1, 2] })).toThrow(/values has 2 entries, rewards 5/);
  });
});

describe("RolloutBuffer", () => {
  const step = (reward: number, flags: { terminated?: boolean; truncated?: boolean } = {}) => ({
    observation: [reward],
    action: [0],
    reward,
    nextObservation: [reward + 1],
    terminated: flags.terminated ?? false,
    truncated: flags.truncated ?? false,
    value: 0,
    logProb: -0.7,
  });

  it("fills to capacity, computes GAE from what it holds, and empties on clear", () => {
    const buffer = new RolloutBuffer(3);
    buffer.add(step(1));
    buffer.add(step(2, { truncated: true }));
    expect(buffer.full).toBe(false);
    buffer.add(step(3, { terminated: true }));
    expect(buffer.full).toBe(true);
    const { returns } = buffer.advantages([0, 20, 30], 0.5, 1);
    // G2 = 3 (terminated), G1 = 2 + 0.5·20 = 12 (truncated), G0 = 1 + 0.5·12 = 7.
    closeTo(returns, [7, 12, 3]);
    expect(() => buffer.add(step(4))).toThrow(/full \(3 steps\)/);
    buffer.clear();
    expect(buffer.size).toBe(0);
    buffer.add(step(5));
    closeTo(buffer.advantages([2], 0.5, 1).returns, [6]);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new RolloutBuffer(0)).toThrow(/positive integer, got 0/);
  });
});
