// Rainbow on CartPole-v1: every part on (C51, noisy nets, prioritized replay, 3-step returns,
// dueling, double Q), evaluated every 5000 steps over 20 episodes, stopping at the threshold.
import { Rainbow } from "../../src/algorithms/rainbow.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "rainbow",
    env: "CartPole-v1",
    steps: 100_000,
    threshold: 475,
    evalEvery: 5_000,
    evalEpisodes: 20,
    create: (env, seed) =>
      new Rainbow(env.observationSpace, env.actionSpace, {
        seed,
        hiddenSizes: [128, 128],
        learningRate: 1e-3,
        batchSize: 64,
        bufferSize: 50_000,
        learningStarts: 1_000,
        trainEvery: 1,
        targetUpdateInterval: 500,
        // Returns of CartPole's +1 per step, discounted by 0.99, stay below 1 / (1 − 0.99) = 100.
        vMin: 0,
        vMax: 100,
        atoms: 51,
        nSteps: 3,
        // β reaches 1 at the end of the budget.
        priorityBetaSteps: 100_000,
      }),
  },
];
