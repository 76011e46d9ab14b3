// FrozenLake-v1 4x4, ported from Gymnasium's toy_text/frozen_lake.py: slippery by default
// (the intended move with probability 1/3, each perpendicular one 1/3), reward 1 at the
// goal, truncated at 100 steps. The optimum succeeds about 74% of the time.
import type { Env, StepResult } from "../core/env.js";
import { Random } from "../core/random.js";
import { discrete } from "../core/spaces.js";
import { withTimeLimit } from "./time-limit.js";

export const FROZEN_LAKE_4X4 = ["SFFF", "FHFH", "FFFH", "HFFG"] as const;

const LEFT = 0;
const DOWN = 1;
const RIGHT = 2;
const UP = 3;

/** The bare lake, without the time limit. */
export class FrozenLake implements Env<number, number> {
  readonly id = "FrozenLake-v1";
  readonly observationSpace;
  readonly actionSpace = discrete(4);
  private readonly rows: number;
  private readonly columns: number;
  private random = new Random(0);
  private position: number | undefined;

  constructor(
    private readonly map: readonly string[] = FROZEN_LAKE_4X4,
    private readonly slippery = true,
  ) {
    this.rows = map.length;
    this.columns = map[0]!.length;
    this.observationSpace = discrete(this.rows * this.columns);
  }

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.random = new Random(options.seed);
    this.position = this.map.join("").indexOf("S");
    return { observation: this.position };
  }

  step(action: number): StepResult<number> {
    if (this.position === undefined) throw new Error("FrozenLake: call reset() before step()");
    if (!Number.isInteger(action) || action < 0 || action > 3) {
      throw new RangeError(`FrozenLake actions are 0 (left), 1 (down), 2 (right), 3 (up); got ${action}`);
    }
    const outcomes = this.transitions(this.position, action);
    const outcome = outcomes[this.random.categorical(outcomes.map((candidate) => candidate.probability))]!;
    this.position = outcome.next;
    return {
      observation: outcome.next,
      reward: outcome.reward,
      terminated: outcome.terminated,
      truncated: false,
    };
  }

  /** The model: each possible outcome of `action` in `position`, with its probability (Gymnasium's P[s][a]). */
  transitions(
    position: number,
    action: number,
  ): { probability: number; next: number; reward: number; terminated: boolean }[] {
    if (this.isTerminal(position)) return [{ probability: 1, next: position, reward: 0, terminated: true }];
    const moves = this.slippery ? [(action + 3) % 4, action, (action + 1) % 4] : [action];
    return moves.map((move) => {
      const next = this.moved(position, move);
      const cell = this.cell(next);
      return {
        probability: 1 / moves.length,
        next,
        reward: cell === "G" ? 1 : 0,
        terminated: cell === "G" || cell === "H",
      };
    });
  }

  private moved(position: number, move: number): number {
    let row = Math.floor(position / this.columns);
    let column = position % this.columns;
    if (move === LEFT) column = Math.max(column - 1, 0);
    else if (move === DOWN) row = Math.min(row + 1, this.rows - 1);
    else if (move === RIGHT) column = Math.min(column + 1, this.columns - 1);
    else if (move === UP) row = Math.max(row - 1, 0);
    return row * this.columns + column;
  }

  private cell(position: number): string {
    return this.map[Math.floor(position / this.columns)]![position % this.columns]!;
  }

  private isTerminal(position: number): boolean {
    const cell = this.cell(position);
    return cell === "G" || cell === "H";
  }
}

/** FrozenLake-v1 4x4 as Gymnasium registers it: slippery, truncated at 100 steps. */
export function createFrozenLake(options: { slippery?: boolean } = {}): Env<number, number> {
  return withTimeLimit(new FrozenLake(FROZEN_LAKE_4X4, options.slippery ?? true), 100);
}
