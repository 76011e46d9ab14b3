// n-step returns: folds the last n transitions into one (r_t + γr_{t+1} + … + γ^{n−1}r_{t+n−1},
// bootstrapping from s_{t+n} with γ^n), cut short where an episode ends.
import type { Transition } from "../core/algorithm.js";
import type { Action, Observation } from "../core/env.js";

/** An n-step transition and the discount its bootstrap takes. */
export interface NStepTransition<O extends Observation, A extends Action> {
  transition: Transition<O, A>;
  discount: number;
}

export class NStepAccumulator<O extends Observation = Observation, A extends Action = Action> {
  private window: Transition<O, A>[] = [];

  constructor(
    readonly n: number,
    readonly gamma: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n-step needs n >= 1, got ${n}`);
  }

  /** Adds one step; returns the n-step transitions now complete (several when an episode ends). */
  push(transition: Transition<O, A>): NStepTransition<O, A>[] {
    this.window.push(transition);
    const ended = transition.terminated || transition.truncated;
    const ready: NStepTransition<O, A>[] = [];
    if (this.window.length >= this.n) ready.push(this.fold(this.window));
    if (this.window.length >= this.n) this.window.shift();
    if (ended) {
      while (this.window.length > 0) {
        ready.push(this.fold(this.window));
        this.window.shift();
      }
    }
    return ready;
  }

  private fold(steps: readonly Transition<O, A>[]): NStepTransition<O, A> {
    let reward = 0;
    let discount = 1;
    let last = steps[0]!;
    for (const step of steps.slice(0, this.n)) {
      reward += discount * step.reward;
      discount *= this.gamma;
      last = step;
      if (step.terminated || step.truncated) break;
    }
    return {
      transition: {
        observation: steps[0]!.observation,
        action: steps[0]!.action,
        reward,
        nextObservation: last.nextObservation,
        terminated: last.terminated,
        truncated: last.truncated,
      },
      discount,
    };
  }
}
