import { A2c } from "../../src/algorithms/a2c.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "a2c",
    env: "CartPole-v1",
    steps: 500_000,
    threshold: 475,
    evalEvery: 10_000,
    evalEpisodes: 20,
    // RL Baselines3 Zoo's CartPole-v1 A2C (SB3's defaults, ent_coef 0, 8 envs × 5 steps) on one env,
    // with 8-step rollouts: RMSprop at 7e-4, γ 0.99, n-step returns (GAE λ = 1).
    create: (env, seed) =>
      new A2c(env.observationSpace, env.actionSpace, {
        seed,
        nSteps: 8,
        gamma: 0.99,
        gaeLambda: 1,
        learningRate: 7e-4,
        optimizer: "rmsprop",
        entropyCoefficient: 0,
        valueCoefficient: 0.5,
        maxGradNorm: 0.5,
      }),
  },
];
