// Runs routers side by side on the routing simulator, for the benchmark and the tests.
import { Random } from "../core/random.js";
import type { Schedule } from "../core/schedules.js";
import { RoutingEnv, SIMULATED_ROLES } from "../envs/routing.js";
import { type BudgetTier, routingEncoder } from "./arms.js";
import { DEFAULT_GATES, type DecisionSource, decideRoute, type RoutingGates } from "./gated-router.js";
import { LinearBandit } from "./linear-bandit.js";

export type SimulatedRouter = "heuristic" | "round-robin" | "learned";

/** One router's results over a window of tasks. */
export interface RoutingWindow {
  tasks: number;
  successRate: number;
  meanTokens: number;
  /** Share of decisions the learned policy made past its gates (learned router only). */
  learnedShare: number;
}

export interface RoutingSimulation {
  router: SimulatedRouter;
  windows: RoutingWindow[];
}

/** Routes `tasks` simulated tasks with each router, reporting every `window` tasks. */
export function simulateRouting(options: {
  tasks: number;
  window: number;
  seed: number;
  gates?: RoutingGates;
  /** The exploring share by task number (default: the gates' constant `explore`). */
  explore?: Schedule;
  routers?: readonly SimulatedRouter[];
  tiers?: readonly BudgetTier[];
}): RoutingSimulation[] {
  const routers = options.routers ?? ["heuristic", "round-robin", "learned"];
  return routers.map((router) => ({ router, windows: runRouter(router, options) }));
}

function runRouter(
  router: SimulatedRouter,
  options: {
    tasks: number;
    window: number;
    seed: number;
    gates?: RoutingGates;
    explore?: Schedule;
    tiers?: readonly BudgetTier[];
  },
): RoutingWindow[] {
  const env = new RoutingEnv(options.seed, undefined, options.tiers);
  const features = env.observationSpace.kind === "box" ? env.observationSpace.low.length : 0;
  const bandit = new LinearBandit({
    arms: env.arms.length,
    features,
    encoder: routingEncoder(env.arms, features),
  });
  const random = new Random(options.seed + 1);
  const gates = options.gates ?? DEFAULT_GATES;
  const windows: RoutingWindow[] = [];
  let window = { tasks: 0, successes: 0, tokens: 0, learned: 0 };
  for (let task = 0; task < options.tasks; task++) {
    const { observation } = env.reset();
    let arm = env.heuristicArm;
    let source: DecisionSource = "heuristic";
    if (router === "round-robin") {
      const role = SIMULATED_ROLES[task % SIMULATED_ROLES.length];
      arm = env.arms.findIndex((candidate) => candidate.role === role && candidate.tier === "standard");
    } else if (router === "learned") {
      const explore = options.explore ? options.explore(task) : gates.explore;
      const decision = decideRoute({
        bandit,
        arms: env.arms,
        features: observation,
        heuristicArm: env.heuristicArm,
        gates: { ...gates, explore },
        random,
      });
      arm = decision.arm;
      source = decision.source;
    }
    const result = env.step(arm);
    const outcome = env.lastOutcome!;
    if (router === "learned") {
      bandit.observe({
        observation,
        action: arm,
        reward: result.reward,
        nextObservation: observation,
        terminated: true,
        truncated: false,
      });
      bandit.train();
    }
    window.tasks += 1;
    window.successes += outcome.success ? 1 : 0;
    window.tokens += outcome.tokens;
    window.learned += source === "learned" ? 1 : 0;
    if (window.tasks === options.window || task === options.tasks - 1) {
      windows.push({
        tasks: window.tasks,
        successRate: window.successes / window.tasks,
        meanTokens: window.tokens / window.tasks,
        learnedShare: window.learned / window.tasks,
      });
      window = { tasks: 0, successes: 0, tokens: 0, learned: 0 };
    }
  }
  return windows;
}
