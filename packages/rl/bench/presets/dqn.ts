import { Dqn } from "../../src/algorithms/dqn.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "dqn",
    env: "CartPole-v1",
    steps: 100_000,
    threshold: 475,
    evalEvery: 2_500,
    evalEpisodes: 20,
    // RL Baselines3 Zoo's CartPole-v1 DQN (exploration_fraction 0.16 of its 5e4 steps = 8000).
    create: (env, seed) =>
      new Dqn(env.observationSpace, env.actionSpace, {
        seed,
        learningRate: 2.3e-3,
        batchSize: 64,
        bufferSize: 100_000,
        learningStarts: 1_000,
        gamma: 0.99,
        targetUpdateInterval: 10,
        trainFrequency: 256,
        gradientSteps: 128,
        epsilonStart: 1,
        epsilonEnd: 0.04,
        epsilonSteps: 8_000,
        hiddenSizes: [256, 256],
      }),
  },
];
