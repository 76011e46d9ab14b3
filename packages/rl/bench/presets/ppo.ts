import { Ppo } from "../../src/algorithms/ppo.js";
import type { Preset } from "../preset.js";

const STEPS = 100_000;

export const presets: Preset[] = [
  {
    algorithm: "ppo",
    env: "CartPole-v1",
    steps: STEPS,
    threshold: 475,
    evalEvery: 2048,
    evalEpisodes: 20,
    // RL Baselines3 Zoo's CartPole-v1 PPO (8 envs × 32 steps) as one env × 256 steps.
    create: (env, seed) =>
      new Ppo(env.observationSpace, env.actionSpace, {
        seed,
        nSteps: 256,
        batchSize: 256,
        nEpochs: 20,
        gamma: 0.98,
        gaeLambda: 0.8,
        entropyCoefficient: 0,
        learningRate: 1e-3,
        learningRateSchedule: "linear",
        clipRange: 0.2,
        clipRangeSchedule: "linear",
        totalSteps: STEPS,
      }),
  },
];
