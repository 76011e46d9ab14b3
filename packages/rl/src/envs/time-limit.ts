// Gymnasium's TimeLimit: an episode longer than maxEpisodeSteps is truncated.
import type { Action, Env, Observation, ResetResult, StepResult } from "../core/env.js";

/** The environment with its episodes truncated after `maxEpisodeSteps` steps. */
export function withTimeLimit<O extends Observation, A extends Action>(
  env: Env<O, A>,
  maxEpisodeSteps: number,
): Env<O, A> {
  let elapsed = 0;
  return {
    id: env.id,
    observationSpace: env.observationSpace,
    actionSpace: env.actionSpace,
    maxEpisodeSteps,
    reset(options): ResetResult<O> {
      elapsed = 0;
      return env.reset(options);
    },
    step(action): StepResult<O> {
      const result = env.step(action);
      elapsed += 1;
      return elapsed >= maxEpisodeSteps && !result.terminated ? { ...result, truncated: true } : result;
    },
  };
}
