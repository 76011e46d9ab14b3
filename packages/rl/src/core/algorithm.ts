// The interface every learning algorithm implements, and the checkpoint it saves.
import { z } from "zod";
import type { Action, Observation } from "./env.js";

/** One step of experience. */
export interface Transition<O extends Observation = Observation, A extends Action = Action> {
  observation: O;
  action: A;
  reward: number;
  nextObservation: O;
  terminated: boolean;
  truncated: boolean;
}

/** A hyperparameter's value: what a run prints and a checkpoint records. */
export type Hyperparameter = number | string | boolean | readonly number[];

/** What one call to `train()` did, when it updated anything. */
export interface TrainStats {
  /** Named figures of the update (losses, entropy, epsilon …). */
  [metric: string]: number;
}

export const CheckpointSchema = z.object({
  algorithm: z.string(),
  version: z.literal(1),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])),
  /** Named tensors (network weights, tables), each with its shape and values. */
  tensors: z.record(
    z.string(),
    z.object({ shape: z.array(z.number().int().nonnegative()), values: z.array(z.number()) }),
  ),
  /** Anything else the algorithm needs to continue (counters, schedules' positions). */
  state: z.record(z.string(), z.unknown()),
});
/** A saved algorithm, plain JSON; `load` parses it with `CheckpointSchema`. */
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/**
 * A learning algorithm: it acts, observes what happened, and trains when an update is due.
 *
 * @example
 * const algo = createDqn(env.observationSpace, env.actionSpace, { seed: 1 });
 * const action = algo.act(observation, { explore: true });
 * algo.observe({ observation, action, reward, nextObservation, terminated, truncated });
 * algo.train(); // undefined until its schedule calls for an update
 */
export interface RLAlgorithm<O extends Observation = Observation, A extends Action = Action> {
  readonly name: string;
  readonly hyperparameters: Readonly<Record<string, Hyperparameter>>;
  /** The action for an observation; `explore: false` is the greedy (evaluation) action. */
  act(observation: O, options?: { explore?: boolean }): A;
  /** Records a transition that followed the last explored `act`. */
  observe(transition: Transition<O, A>): void;
  /** Updates the policy if one is due; returns what it did, or undefined. */
  train(): TrainStats | undefined;
  save(): Checkpoint;
  /** Restores a checkpoint of the same algorithm and shapes; throws a clear error otherwise. */
  load(checkpoint: unknown): void;
  /** Frees tensors; the algorithm cannot be used after it. */
  dispose(): void;
}
