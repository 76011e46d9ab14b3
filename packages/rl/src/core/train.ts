// The training loop: steps an environment with an algorithm, and evaluates it on the way.
import type { RLAlgorithm } from "./algorithm.js";
import type { Action, Env, Observation } from "./env.js";

export interface Evaluation {
  /** Environment steps taken in training when the evaluation ran. */
  envSteps: number;
  meanReturn: number;
  returns: number[];
}

export interface TrainOptions {
  /** Environment steps to train for. */
  steps: number;
  seed: number;
  /** Evaluate every this many steps (0: never during training). */
  evalEvery?: number;
  /** Episodes per evaluation (default 20). */
  evalEpisodes?: number;
  /** A separate environment for evaluation; without it, evaluations are skipped. */
  evalEnv?: Env;
  onEvaluation?: (evaluation: Evaluation) => void;
  /** Called at the end of each training episode. */
  onEpisode?: (episode: { envSteps: number; return: number; length: number }) => void;
  /** Stop early once an evaluation's mean return reaches this. */
  stopAtReturn?: number;
}

export interface TrainResult {
  envSteps: number;
  episodes: number;
  evaluations: Evaluation[];
  wallSeconds: number;
}

/**
 * Trains `algorithm` on `env` for `steps` environment steps, seeded by `seed`.
 *
 * @example
 * const result = train(createPpo(env.observationSpace, env.actionSpace, { seed: 1 }), env, { steps: 1e5, seed: 1 });
 */
export function train<O extends Observation, A extends Action>(
  algorithm: RLAlgorithm<O, A>,
  env: Env<O, A>,
  options: TrainOptions,
): TrainResult {
  const started = performance.now();
  const evaluations: Evaluation[] = [];
  let { observation } = env.reset({ seed: options.seed });
  let episodeReturn = 0;
  let episodeLength = 0;
  let episodes = 0;
  let envSteps = 0;
  while (envSteps < options.steps) {
    const action = algorithm.act(observation, { explore: true });
    const result = env.step(action);
    envSteps += 1;
    episodeReturn += result.reward;
    episodeLength += 1;
    algorithm.observe({
      observation,
      action,
      reward: result.reward,
      nextObservation: result.observation,
      terminated: result.terminated,
      truncated: result.truncated,
    });
    algorithm.train();
    if (result.terminated || result.truncated) {
      episodes += 1;
      options.onEpisode?.({ envSteps, return: episodeReturn, length: episodeLength });
      episodeReturn = 0;
      episodeLength = 0;
      observation = env.reset().observation;
    } else {
      observation = result.observation;
    }
    if (options.evalEnv && options.evalEvery && envSteps % options.evalEvery === 0) {
      const returns = evaluate(algorithm, options.evalEnv as Env<O, A>, {
        episodes: options.evalEpisodes ?? 20,
        seed: options.seed + 1_000_000 + envSteps,
      });
      const evaluation = { envSteps, meanReturn: mean(returns), returns };
      evaluations.push(evaluation);
      options.onEvaluation?.(evaluation);
      if (options.stopAtReturn !== undefined && evaluation.meanReturn >= options.stopAtReturn) break;
    }
  }
  return { envSteps, episodes, evaluations, wallSeconds: (performance.now() - started) / 1000 };
}

/** The returns of `episodes` greedy episodes, the first reset with `seed`. */
export function evaluate<O extends Observation, A extends Action>(
  algorithm: Pick<RLAlgorithm<O, A>, "act">,
  env: Env<O, A>,
  options: { episodes: number; seed: number },
): number[] {
  const returns: number[] = [];
  for (let episode = 0; episode < options.episodes; episode++) {
    let { observation } = env.reset(episode === 0 ? { seed: options.seed } : {});
    let total = 0;
    for (;;) {
      const result = env.step(algorithm.act(observation, { explore: false }));
      total += result.reward;
      if (result.terminated || result.truncated) break;
      observation = result.observation;
    }
    returns.push(total);
  }
  return returns;
}

export const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
