import { Sac } from "../../src/algorithms/sac.js";
import type { Preset } from "../preset.js";

export const presets: Preset[] = [
  {
    algorithm: "sac",
    env: "Pendulum-v1",
    steps: 20_000,
    threshold: -200,
    evalEvery: 2_000,
    // 20 episodes, as the final evaluation, so a lucky 10 does not stop training too early.
    evalEpisodes: 20,
    // RL Baselines3 Zoo's Pendulum-v1 settings (lr 1e-3, the rest SAC's defaults), with [64, 64]
    // networks and batches of 128 instead of [256, 256] and 256 (7 ms of CPU per step and update
    // here instead of 40 ms).
    create: (env, seed) =>
      new Sac(env.observationSpace, env.actionSpace, {
        seed,
        learningRate: 1e-3,
        hiddenSizes: [64, 64],
        batchSize: 128,
      }),
  },
];
