import { QLearning } from "../../src/index.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "q-learning",
    env: "FrozenLake-v1",
    steps: 1_000_000,
    threshold: 0.7,
    measure: "success rate",
    // A success rate over 20 episodes is ±0.1; the optimum (0.74) would fail the gate half the time.
    finalEpisodes: 1000,
    create: (env, seed) =>
      new QLearning(env.observationSpace, env.actionSpace, {
        seed,
        learningRate: 0.02,
        gamma: 0.99,
        epsilonSteps: 500_000,
      }),
  },
];
