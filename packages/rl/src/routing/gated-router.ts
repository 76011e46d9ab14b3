// The learned router's decision: the bandit's best arm replaces the heuristic's only when
// both are supported by enough outcomes and the learned one is better with enough confidence.
import type { Random } from "../core/random.js";
import { armKey, type RoutingArm } from "./arms.js";
import type { ArmEstimate, LinearBandit } from "./linear-bandit.js";

export interface RoutingGates {
  /** Outcomes needed near this state, for both the learned and the heuristic arm. */
  minSupport: number;
  /** Probability that the learned arm is better than the heuristic's. */
  minConfidence: number;
  /** Share of decisions that explore instead (the arm with the best upper confidence bound). */
  explore: number;
}

export const DEFAULT_GATES: RoutingGates = { minSupport: 8, minConfidence: 0.9, explore: 0.05 };

/** Which policy chose: the learned one past its gates, the heuristic, or exploration. */
export type DecisionSource = "learned" | "heuristic" | "explore";

export interface RoutingDecision {
  arm: number;
  source: DecisionSource;
  /** One line for the activity feed, e.g. "routed to backend/standard: q=0.82 (n=14) vs coordinator/standard q=0.41 (n=9)". */
  explanation: string;
  estimates: ArmEstimate[];
}

/** Decides between the heuristic's arm and the bandit's. */
export function decideRoute(options: {
  bandit: LinearBandit;
  arms: readonly RoutingArm[];
  features: readonly number[];
  heuristicArm: number;
  gates: RoutingGates;
  random: Random;
}): RoutingDecision {
  const { bandit, arms, features, heuristicArm, gates, random } = options;
  const estimates = bandit.estimates(features);
  const heuristic = estimates[heuristicArm]!;
  const describe = (estimate: ArmEstimate) =>
    `${armKey(arms[estimate.arm]!)} q=${estimate.mean.toFixed(2)} (n=${Math.round(estimate.support)})`;
  if (gates.explore > 0 && random.next() < gates.explore) {
    const arm = bandit.act([...features], { explore: true });
    return {
      arm,
      source: "explore",
      explanation: `exploring ${describe(estimates[arm]!)} vs heuristic ${describe(heuristic)}`,
      estimates,
    };
  }
  const best = estimates.reduce((top, estimate) => (estimate.mean > top.mean ? estimate : top), heuristic);
  if (best.arm === heuristicArm) {
    return {
      arm: heuristicArm,
      source: "heuristic",
      explanation: `routed to ${describe(heuristic)} (heuristic; learned agrees)`,
      estimates,
    };
  }
  const confidence = probabilityBetter(best, heuristic);
  const held =
    best.support < gates.minSupport
      ? `n=${Math.round(best.support)} < ${gates.minSupport}`
      : heuristic.support < gates.minSupport
        ? `heuristic n=${Math.round(heuristic.support)} < ${gates.minSupport}`
        : confidence < gates.minConfidence
          ? `confidence ${confidence.toFixed(2)} < ${gates.minConfidence}`
          : undefined;
  if (held !== undefined) {
    return {
      arm: heuristicArm,
      source: "heuristic",
      explanation: `routed to ${describe(heuristic)} (heuristic; learned ${describe(best)} held back: ${held})`,
      estimates,
    };
  }
  return {
    arm: best.arm,
    source: "learned",
    explanation: `routed to ${describe(best)} vs ${describe(heuristic)}, confidence ${confidence.toFixed(2)}`,
    estimates,
  };
}

/** P(a's expected reward > b's) under independent normal posteriors. */
export function probabilityBetter(a: ArmEstimate, b: ArmEstimate): number {
  const spread = Math.sqrt(a.std ** 2 + b.std ** 2);
  if (spread === 0) return a.mean > b.mean ? 1 : 0;
  return normalCdf((a.mean - b.mean) / spread);
}

/** Φ(z), by the Abramowitz-Stegun 7.1.26 approximation of erf (error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
