import { runDecisionTransformerBench } from "../decision-transformer.js";
import type { CustomGate } from "../gate.js";

export const gates: CustomGate[] = [
  {
    algorithm: "decision-transformer",
    env: "CartPole-v1",
    description: "beats behaviour cloning on the same mixed-quality offline data (1000 gradient steps each)",
    run: async (seed, log) => {
      const result = await runDecisionTransformerBench({
        seed,
        steps: 1000,
        episodes: 100,
        evalEpisodes: 20,
        log,
      });
      return {
        result: { ...result },
        passed: result.dt_mean_return > result.bc_mean_return,
        summary: `DT ${result.dt_mean_return.toFixed(1)} vs BC ${result.bc_mean_return.toFixed(1)} (data ${result.dataset_mean_return.toFixed(1)}, ${result.wall_s}s)`,
      };
    },
  },
];
