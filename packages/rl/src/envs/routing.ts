// A routing simulator: tasks with a hidden best role and a hidden cost, so routers can be
// compared on success and tokens. One step per episode: the observation is the task's
// features, the action an arm (role and budget tier), the reward its outcome's value.
import type { Env, StepResult } from "../core/env.js";
import { Random } from "../core/random.js";
import { box, discrete } from "../core/spaces.js";
import { BUDGET_TIERS, type BudgetTier, type RoutingArm, routingArms } from "../routing/arms.js";
import { type RoutingState, routingFeatureSize, routingFeatures } from "../routing/features.js";

export const SIMULATED_ROLES = [
  "coordinator",
  "backend",
  "frontend",
  "dba",
  "devops",
  "security",
  "qa",
] as const;
const SPECIALISTS = SIMULATED_ROLES.slice(1);
const CLUSTERS = 8;

/** The hidden truth of a kind of task. */
interface TaskKind {
  /** The specialist that can do it alone, or undefined when it needs the team. */
  bestRole: string | undefined;
  /** Tokens its best route takes, on average. */
  baseTokens: number;
  /** It relies on earlier context, so a compacted (small-tier) run often fails it. */
  needsHistory: boolean;
}

/** What one routed task cost and whether it succeeded. */
export interface RoutingOutcome {
  success: boolean;
  tokens: number;
  seconds: number;
}

/** How outcomes become rewards: success minus weighted token and time costs. */
export interface RewardWeights {
  tokens: number;
  referenceTokens: number;
  time: number;
  referenceSeconds: number;
}

export const DEFAULT_REWARD_WEIGHTS: RewardWeights = {
  tokens: 0.5,
  referenceTokens: 50_000,
  time: 0.1,
  referenceSeconds: 120,
};

/** The reward of an outcome: 1 for success, less its token and time costs. */
export const routingReward = (outcome: RoutingOutcome, weights: RewardWeights = DEFAULT_REWARD_WEIGHTS) =>
  (outcome.success ? 1 : 0) -
  (weights.tokens * outcome.tokens) / weights.referenceTokens -
  (weights.time * outcome.seconds) / weights.referenceSeconds;

/**
 * The simulator. Of 8 kinds of task, 6 are best done by one specialist alone and 2 need
 * the team (the Coordinator). The Coordinator succeeds at everything (90%) but costs 1.8×
 * the tokens of the right specialist; a wrong specialist mostly fails (20%). The small tier
 * saves 30% of tokens but fails tasks that need history; large costs 20% more for +3%.
 * Observations are noisy: the cluster is right 95% of the time, keywords hint at the role.
 */
export class RoutingEnv implements Env<number[], number> {
  readonly id = "Routing-v0";
  readonly arms: RoutingArm[];
  readonly keywords = SPECIALISTS.map((role) => role);
  readonly observationSpace = box(0, 1, routingFeatureSize(CLUSTERS, SPECIALISTS.length));
  readonly actionSpace;
  /** The arm the daemon's heuristic takes for a top-level task: the Coordinator, standard tier. */
  readonly heuristicArm: number;
  /** Tasks and outcomes draw from separate streams, so every router meets the same tasks. */
  private random: Random;
  private outcomes: Random;
  private kinds: TaskKind[];
  private current: { kind: TaskKind; state: RoutingState } | undefined;
  /** The last step's outcome. */
  lastOutcome: RoutingOutcome | undefined;

  constructor(
    seed = 0,
    private readonly weights: RewardWeights = DEFAULT_REWARD_WEIGHTS,
    tiers: readonly BudgetTier[] = BUDGET_TIERS,
  ) {
    this.arms = routingArms(SIMULATED_ROLES, tiers);
    this.actionSpace = discrete(this.arms.length);
    this.heuristicArm = this.arms.findIndex((arm) => arm.role === "coordinator" && arm.tier === "standard");
    this.random = new Random(seed);
    this.outcomes = new Random(seed ^ 0x0c0e);
    this.kinds = this.drawKinds(new Random(seed ^ 0x7a5c));
  }

  /** The state behind the current observation (for heuristics that read keywords). */
  get state(): RoutingState {
    if (!this.current) throw new Error("RoutingEnv: call reset() first");
    return this.current.state;
  }

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) {
      this.random = new Random(options.seed);
      this.outcomes = new Random(options.seed ^ 0x0c0e);
    }
    const cluster = this.random.int(CLUSTERS);
    const kind = this.kinds[cluster]!;
    const observedCluster = this.random.next() < 0.95 ? cluster : this.random.int(CLUSTERS);
    const keywords = SPECIALISTS.map((role) =>
      role === kind.bestRole ? this.random.next() < 0.6 : this.random.next() < (kind.bestRole ? 0.1 : 0.35),
    );
    const state: RoutingState = {
      cluster: observedCluster,
      clusters: CLUSTERS,
      size: Math.round(kind.baseTokens / 40 + this.random.uniform(0, 200)),
      keywords,
      load: Object.fromEntries(SIMULATED_ROLES.map((role) => [role, this.random.next()])),
      successRate: {},
      spend: this.random.uniform(0, 0.5),
    };
    this.current = { kind, state };
    return { observation: routingFeatures(state) };
  }

  step(action: number): StepResult<number[]> {
    if (!this.current) throw new Error("RoutingEnv: call reset() before step()");
    const arm = this.arms[action];
    if (!arm) throw new RangeError(`Routing arms are 0..${this.arms.length - 1}, got ${action}`);
    const outcome = this.outcome(this.current.kind, arm);
    this.lastOutcome = outcome;
    return {
      observation: routingFeatures(this.current.state),
      reward: routingReward(outcome, this.weights),
      terminated: true,
      truncated: false,
    };
  }

  private outcome(kind: TaskKind, arm: RoutingArm): RoutingOutcome {
    let success: number;
    let tokens: number;
    let seconds: number;
    if (arm.role === "coordinator") [success, tokens, seconds] = [0.9, 1.8 * kind.baseTokens, 90];
    else if (arm.role === kind.bestRole) [success, tokens, seconds] = [0.9, kind.baseTokens, 60];
    else [success, tokens, seconds] = [0.2, 1.3 * kind.baseTokens, 75];
    const tier: Record<BudgetTier, [number, number]> = {
      small: [kind.needsHistory ? 0.4 : 1, 0.7],
      standard: [1, 1],
      large: [1, 1.2],
    };
    const [successFactor, tokenFactor] = tier[arm.tier];
    success = Math.min(0.97, success * successFactor + (arm.tier === "large" ? 0.03 : 0));
    tokens *= tokenFactor * Math.exp(this.outcomes.normal(0, 0.2));
    return {
      success: this.outcomes.next() < success,
      tokens: Math.round(tokens),
      seconds: seconds * Math.exp(this.outcomes.normal(0, 0.2)),
    };
  }

  private drawKinds(random: Random): TaskKind[] {
    const specialists = random.shuffle([...SPECIALISTS]);
    return Array.from({ length: CLUSTERS }, (_, i) => ({
      bestRole: i < 6 ? specialists[i] : undefined,
      baseTokens: Math.round(random.uniform(8_000, 40_000)),
      needsHistory: random.next() < 0.4,
    }));
  }
}
