// C51's support and the categorical projection of the Bellman target, against hand-computed cases.
import { describe, expect, it } from "vitest";
import { createSupport, projectDistribution } from "../src/nn/distributional.js";

const expectClose = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => {
    expect(actual[i]).toBeCloseTo(value, 6);
  });
};

describe("createSupport", () => {
  it("spaces the atoms evenly from vMin to vMax", () => {
    const support = createSupport(5, -2, 2);
    expect(support.delta).toBe(1);
    expectClose(support.values, [-2, -1, 0, 1, 2]);
  });

  it("rejects fewer than two atoms and an empty range, naming the values", () => {
    expect(() => createSupport(1, 0, 1)).toThrow(/atoms >= 2, got 1/);
    expect(() => createSupport(51, 10, 10)).toThrow(/vMin < vMax, got vMin=10, vMax=10/);
  });
});

describe("projectDistribution", () => {
  // Atoms z = 0, 1, 2 (Δz = 1), next-state probabilities p = [0.2, 0.5, 0.3].
  const support = createSupport(3, 0, 2);
  const p = [0.2, 0.5, 0.3];

  it("splits each shifted atom between its neighbours (hand-computed)", () => {
    // r = 0.5, γ = 0.5: Tz = [0.5, 1.0, 1.5].
    // 0.5 → half of 0.2 to z0 and half to z1; 1.0 lands on z1 (0.5); 1.5 → half of 0.3 to z1 and z2.
    const projected = projectDistribution(support, {
      probabilities: p,
      rewards: [0.5],
      discounts: [0.5],
      dones: [0],
    });
    expectClose(projected, [0.1, 0.1 + 0.5 + 0.15, 0.15]);
  });

  it("puts all mass at the reward when the episode terminated", () => {
    // Tz = 1.3 for every atom: 0.7 to z1, 0.3 to z2.
    const projected = projectDistribution(support, {
      probabilities: p,
      rewards: [1.3],
      discounts: [0.5],
      dones: [1],
    });
    expectClose(projected, [0, 0.7, 0.3]);
  });

  it("clips targets beyond the support onto its edge atoms", () => {
    // r = −1, γ = 1: Tz = [−1, 0, 1] → clipped to [0, 0, 1].
    const below = projectDistribution(support, {
      probabilities: p,
      rewards: [-1],
      discounts: [1],
      dones: [0],
    });
    expectClose(below, [0.7, 0.3, 0]);
    const above = projectDistribution(support, {
      probabilities: p,
      rewards: [5],
      discounts: [1],
      dones: [0],
    });
    expectClose(above, [0, 0, 1]);
  });

  it("projects every row of a batch on its own", () => {
    const projected = projectDistribution(support, {
      probabilities: [...p, 0, 0, 1],
      rewards: [0.5, 0],
      discounts: [0.5, 0.25],
      dones: [0, 0],
    });
    // Row 2: all mass at z2 = 2, Tz = 0.5 → split evenly between z0 and z1.
    expectClose(projected, [0.1, 0.75, 0.15, 0.5, 0.5, 0]);
  });

  it("keeps total probability 1 and, inside the support, the mean r + γ·E[z]", () => {
    const wide = createSupport(51, -10, 10);
    const probabilities = Array.from({ length: 51 }, (_, i) => Math.exp(-((i - 20) ** 2) / 50));
    const total = probabilities.reduce((sum, x) => sum + x, 0);
    const normalised = probabilities.map((x) => x / total);
    const projected = projectDistribution(wide, {
      probabilities: normalised,
      rewards: [0.37],
      discounts: [0.9],
      dones: [0],
    });
    const mean = (dist: ArrayLike<number>) =>
      Array.from(dist).reduce((sum, x, i) => sum + x * wide.values[i]!, 0);
    expect(Array.from(projected).reduce((sum, x) => sum + x, 0)).toBeCloseTo(1, 5);
    expect(mean(projected)).toBeCloseTo(0.37 + 0.9 * mean(normalised), 4);
  });

  it("rejects probabilities that do not match batch × atoms", () => {
    expect(() =>
      projectDistribution(support, { probabilities: [0.5, 0.5], rewards: [0], discounts: [1], dones: [0] }),
    ).toThrow(/needs 1×3 probabilities for 1 rewards, got 2/);
  });
});
