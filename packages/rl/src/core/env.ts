// The environment interface, mirroring Gymnasium's reset/step.
import type { Space } from "./spaces.js";

/** An observation: an index for a Discrete space, a vector for a Box. */
export type Observation = number | readonly number[];
/** An action: an index for a Discrete space, a vector for a Box. */
export type Action = number | readonly number[];

export interface ResetResult<O extends Observation = Observation> {
  observation: O;
}

export interface StepResult<O extends Observation = Observation> {
  observation: O;
  reward: number;
  /** The episode reached a terminal state (the value beyond it is 0). */
  terminated: boolean;
  /** The episode was cut short (a time limit): the state beyond it still has value. */
  truncated: boolean;
}

/**
 * A Gymnasium-style environment. `reset({seed})` reseeds it; `reset()` without a seed
 * continues its random stream, so one seed reproduces a whole run of episodes.
 */
export interface Env<O extends Observation = Observation, A extends Action = Action> {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Steps after which an episode is truncated (Gymnasium's TimeLimit), if any. */
  readonly maxEpisodeSteps?: number;
  reset(options?: { seed?: number }): ResetResult<O>;
  step(action: A): StepResult<O>;
}
