import { describe, expect, it } from "vitest";
import {
  decideRoute,
  embeddingCluster,
  keywordFlags,
  LinearBandit,
  linear,
  Random,
  routingArms,
  routingEncoder,
  simulateRouting,
} from "../src/index.js";

/** Two arms, two contexts: arm 0 pays 1 in context A and 0 in B, arm 1 the reverse. */
function trainedBandit(observations: number) {
  const bandit = new LinearBandit({ arms: 2, features: 3 });
  const random = new Random(1);
  for (let i = 0; i < observations; i++) {
    const contextA = i % 2 === 0;
    const arm = random.int(2);
    const reward = (arm === 0) === contextA ? 1 : 0;
    bandit.observe({
      observation: [1, contextA ? 1 : 0, contextA ? 0 : 1],
      action: arm,
      reward,
      nextObservation: [1, 0, 0],
      terminated: true,
      truncated: false,
    });
  }
  bandit.train();
  return bandit;
}

describe("LinearBandit", () => {
  it("learns which arm pays in which context, with support that grows with its observations", () => {
    const bandit = trainedBandit(200);
    expect(bandit.act([1, 1, 0])).toBe(0);
    expect(bandit.act([1, 0, 1])).toBe(1);
    const [a, b] = bandit.estimates([1, 1, 0]);
    expect(a!.mean).toBeGreaterThan(0.8);
    expect(b!.mean).toBeLessThan(0.2);
    expect(a!.support).toBeGreaterThan(30);
    expect(trainedBandit(10).estimates([1, 1, 0])[0]!.support).toBeLessThan(a!.support);
  });

  it("restores a checkpoint to the same estimates and refuses one of another size", () => {
    const bandit = trainedBandit(100);
    const copy = new LinearBandit({ arms: 2, features: 3 });
    copy.load(JSON.parse(JSON.stringify(bandit.save())));
    expect(copy.estimates([1, 0, 1])).toEqual(bandit.estimates([1, 0, 1]));
    expect(() => new LinearBandit({ arms: 3, features: 3 }).load(bandit.save())).toThrow(/this bandit has 9/);
  });

  it("refuses features of the wrong length and unknown arms", () => {
    const bandit = new LinearBandit({ arms: 2, features: 3 });
    expect(() => bandit.act([1, 2])).toThrow(/Expected 3 finite features, got 2/);
    expect(() =>
      bandit.observe({
        observation: [1, 0, 0],
        action: 5,
        reward: 1,
        nextObservation: [1, 0, 0],
        terminated: true,
        truncated: false,
      }),
    ).toThrow(/Arm 5 is not one of 0..1/);
  });
});

describe("decideRoute", () => {
  const arms = routingArms(["coordinator", "backend"], ["standard"]);
  const gates = { minSupport: 8, minConfidence: 0.9, explore: 0 };

  it("keeps the heuristic while the learned arm has too little support, and says so", () => {
    const bandit = new LinearBandit({ arms: 2, features: 1 });
    for (let i = 0; i < 3; i++) {
      bandit.observe({
        observation: [1],
        action: 1,
        reward: 1,
        nextObservation: [1],
        terminated: true,
        truncated: false,
      });
    }
    for (let i = 0; i < 20; i++) {
      bandit.observe({
        observation: [1],
        action: 0,
        reward: 0.2,
        nextObservation: [1],
        terminated: true,
        truncated: false,
      });
    }
    bandit.train();
    const decision = decideRoute({
      bandit,
      arms,
      features: [1],
      heuristicArm: 0,
      gates,
      random: new Random(1),
    });
    expect(decision.source).toBe("heuristic");
    expect(decision.arm).toBe(0);
    expect(decision.explanation).toMatch(/learned backend\/standard q=.* held back: n=3 < 8/);
  });

  it("takes the learned arm once support and confidence pass, explaining both q values", () => {
    const bandit = new LinearBandit({ arms: 2, features: 1 });
    for (let i = 0; i < 30; i++) {
      bandit.observe({
        observation: [1],
        action: 1,
        reward: 0.9,
        nextObservation: [1],
        terminated: true,
        truncated: false,
      });
      bandit.observe({
        observation: [1],
        action: 0,
        reward: 0.3,
        nextObservation: [1],
        terminated: true,
        truncated: false,
      });
    }
    bandit.train();
    const decision = decideRoute({
      bandit,
      arms,
      features: [1],
      heuristicArm: 0,
      gates,
      random: new Random(1),
    });
    expect(decision.source).toBe("learned");
    expect(decision.arm).toBe(1);
    expect(decision.explanation).toMatch(
      /^routed to backend\/standard q=0\.\d+ \(n=\d+\) vs coordinator\/standard q=0\.\d+ \(n=\d+\), confidence 1\.00$/,
    );
  });
});

describe("routing simulator", () => {
  it("the learned router ends with fewer tokens than the heuristic at nearly its success rate, and beats round-robin", () => {
    const [heuristic, roundRobin, learned] = simulateRouting({
      tasks: 3000,
      window: 1000,
      seed: 1,
      tiers: ["small", "standard"],
      explore: linear(0.3, 0.05, 2000),
      gates: { minSupport: 5, minConfidence: 0.8, explore: 0 },
    });
    const last = (result: typeof heuristic) => result!.windows.at(-1)!;
    expect(last(learned).meanTokens).toBeLessThan(0.85 * last(heuristic).meanTokens);
    expect(last(learned).successRate).toBeGreaterThan(last(heuristic).successRate - 0.06);
    expect(last(learned).successRate).toBeGreaterThan(last(roundRobin).successRate + 0.3);
    expect(last(learned).learnedShare).toBeGreaterThan(0.2);
    expect(heuristic!.windows.every((w) => w.learnedShare === 0)).toBe(true);
  });
});

describe("routing features", () => {
  it("gives near-identical embeddings the same cluster, and finds keywords as words", () => {
    const random = new Random(3);
    const base = Array.from({ length: 64 }, () => random.normal());
    const near = base.map((x) => x + 0.001 * random.normal());
    expect(embeddingCluster(near, 3)).toBe(embeddingCluster(base, 3));
    expect(embeddingCluster(base, 3)).toBeLessThan(8);
    expect(keywordFlags("Fix the SQL migration; test it", ["sql", "test", "ui"])).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("encodes a role's block and, off the standard tier, the tier's block", () => {
    const arms = routingArms(["coordinator", "backend"], ["small", "standard"]);
    const encoder = routingEncoder(arms, 2);
    expect(encoder.size).toBe(6);
    expect(
      encoder.encode(
        [1, 2],
        arms.findIndex((a) => a.role === "backend" && a.tier === "small"),
      ),
    ).toEqual([0, 0, 1, 2, 1, 2]);
    expect(
      encoder.encode(
        [1, 2],
        arms.findIndex((a) => a.role === "coordinator" && a.tier === "standard"),
      ),
    ).toEqual([1, 2, 0, 0, 0, 0]);
  });
});
