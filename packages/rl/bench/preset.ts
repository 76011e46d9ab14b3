// A benchmark preset: how one algorithm is trained on one environment, and the gate it must pass.
import type { RLAlgorithm } from "../src/index.js";
import { createEnv, type Env, evaluate, initBackend, mean, train } from "../src/index.js";

export interface Preset {
  algorithm: string;
  env: string;
  /** The full gate: a mean return over 20 evaluation episodes within `steps` environment steps. */
  steps: number;
  threshold: number;
  /** What `meanReturn` measures, for the report ("return", "success rate"). */
  measure?: string;
  /** Evaluate during training every this many steps, stopping once the threshold is reached. */
  evalEvery?: number;
  /** Episodes of each evaluation (default 10 during training, 20 at the end). */
  evalEpisodes?: number;
  finalEpisodes?: number;
  create(env: Env, seed: number): RLAlgorithm;
}

export interface PresetRun {
  algo: string;
  env: string;
  seed: number;
  env_steps: number;
  mean_return: number;
  wall_s: number;
}

/**
 * Trains with the preset (at most `steps`, stopping early once an evaluation reaches the
 * threshold), then evaluates the final policy over fresh episodes (20 unless the preset says).
 */
export async function runPreset(
  preset: Preset,
  options: { seed: number; steps?: number; threshold?: number; onProgress?: (line: string) => void },
): Promise<PresetRun> {
  await initBackend();
  const env = createEnv(preset.env);
  const evalEnv = createEnv(preset.env);
  const algorithm = preset.create(env, options.seed);
  const threshold = options.threshold ?? preset.threshold;
  try {
    const trained = train(algorithm, env, {
      steps: options.steps ?? preset.steps,
      seed: options.seed,
      evalEnv,
      evalEvery: preset.evalEvery ?? 0,
      evalEpisodes: preset.evalEpisodes ?? 10,
      stopAtReturn: threshold,
      onEvaluation: (evaluation) =>
        options.onProgress?.(`step ${evaluation.envSteps}: mean ${evaluation.meanReturn.toFixed(2)}`),
    });
    const returns = evaluate(algorithm, evalEnv, {
      episodes: preset.finalEpisodes ?? 20,
      seed: options.seed + 7_777_777,
    });
    return {
      algo: preset.algorithm,
      env: preset.env,
      seed: options.seed,
      env_steps: trained.envSteps,
      mean_return: mean(returns),
      wall_s: Number(trained.wallSeconds.toFixed(2)),
    };
  } finally {
    algorithm.dispose();
  }
}
