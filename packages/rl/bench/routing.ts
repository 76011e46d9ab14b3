// The routing simulator: the learned router against the heuristic (everything through the
// Coordinator) and round-robin, on the same tasks, with the learning curve printed.
import { linear, simulateRouting } from "../src/index.js";

export interface RoutingBenchOptions {
  seeds: number[];
  tasks: number;
  window: number;
  log: (line: string) => void;
}

/** Runs every seed; returns the JSON summary line (also what the last window compares). */
export function runRoutingBench(options: RoutingBenchOptions) {
  const summaries = options.seeds.map((seed) => {
    const started = performance.now();
    const results = simulateRouting({
      tasks: options.tasks,
      window: options.window,
      seed,
      tiers: ["small", "standard"],
      explore: linear(0.3, 0.05, Math.round(options.tasks * 0.75)),
      gates: { minSupport: 5, minConfidence: 0.8, explore: 0 },
    });
    options.log(
      `seed ${seed}: success / mean tokens per task / share decided by the learned policy, per ${options.window} tasks`,
    );
    for (const result of results) {
      options.log(
        `  ${result.router.padEnd(11)} ${result.windows.map((w) => `${w.successRate.toFixed(2)}/${(w.meanTokens / 1000).toFixed(1)}k${result.router === "learned" ? `/${w.learnedShare.toFixed(2)}` : ""}`).join("  ")}`,
      );
    }
    const last = (router: string) => {
      const windows = results.find((result) => result.router === router)!.windows.slice(-2);
      const tasks = windows.reduce((sum, w) => sum + w.tasks, 0);
      return {
        success: windows.reduce((sum, w) => sum + w.successRate * w.tasks, 0) / tasks,
        tokens: windows.reduce((sum, w) => sum + w.meanTokens * w.tasks, 0) / tasks,
      };
    };
    const [heuristic, roundRobin, learned] = [last("heuristic"), last("round-robin"), last("learned")];
    return {
      seed,
      heuristic_success: round(heuristic.success),
      heuristic_tokens: Math.round(heuristic.tokens),
      round_robin_success: round(roundRobin.success),
      round_robin_tokens: Math.round(roundRobin.tokens),
      learned_success: round(learned.success),
      learned_tokens: Math.round(learned.tokens),
      token_saving: round(1 - learned.tokens / heuristic.tokens),
      wall_s: round((performance.now() - started) / 1000),
    };
  });
  for (const summary of summaries) {
    options.log(
      `seed ${summary.seed}, last ${2 * options.window} tasks: learned ${summary.learned_success} success at ${summary.learned_tokens} tokens, heuristic ${summary.heuristic_success} at ${summary.heuristic_tokens} (${Math.round(summary.token_saving * 100)}% fewer tokens), round-robin ${summary.round_robin_success} at ${summary.round_robin_tokens}`,
    );
  }
  return { algo: "linear-bandit-router", env: "Routing-v0", tasks: options.tasks, seeds: summaries };
}

const round = (value: number) => Number(value.toFixed(3));
