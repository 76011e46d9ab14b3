import { SacDiscrete } from "../../src/algorithms/sac-discrete.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "sac-discrete",
    env: "CartPole-v1",
    steps: 50_000,
    threshold: 475,
    evalEvery: 2_000,
    evalEpisodes: 20,
    // A low target entropy (0.3·log 2): CartPole needs a nearly deterministic policy, and at
    // 0.5 or more the entropy bonus keeps it near 250 steps.
    create: (env, seed) =>
      new SacDiscrete(env.observationSpace, env.actionSpace, {
        seed,
        learningRate: 1e-3,
        hiddenSizes: [64, 64],
        batchSize: 128,
        learningStarts: 1_000,
        targetEntropyRatio: 0.3,
      }),
  },
];
