// Exact minimax (negamax form) with a transposition table: the perfect reference opponent.
import type { Random } from "../core/random.js";
import { type Game, type GamePolicy, outcomeFor } from "./game.js";

export interface MinimaxOptions {
  /**
   * Each ply to the end multiplies a value by this (default 0.99), so a quicker win beats a slower one
   * and a loss is put off as long as possible; the sign stays the game-theoretic outcome. 1 gives pure ±1/0.
   */
  discount?: number;
}

/**
 * Solves a game exactly: the value of every state reachable from the ones it is asked about,
 * memoised by `game.key`.
 *
 * @example
 * const solver = new Minimax(ticTacToe);
 * solver.outcome(ticTacToe.initialState()); // 0: perfect play draws
 * solver.bestMoves(parseTicTacToe("XX. OO. ...")); // [2]
 */
export class Minimax<State, Move> {
  private readonly memo = new Map<string, number>();
  private readonly discount: number;

  constructor(
    private readonly game: Game<State, Move>,
    options: MinimaxOptions = {},
  ) {
    this.discount = options.discount ?? 0.99;
    if (!(this.discount > 0 && this.discount <= 1)) {
      throw new RangeError(`Minimax discount must be in (0, 1], got ${options.discount}`);
    }
  }

  /**
   * The state's value in [−1, 1] for the player to move, with perfect play on both sides.
   * A terminal state's value is its outcome for `game.currentPlayer(state)`.
   */
  value(state: State): number {
    if (this.game.isTerminal(state)) return outcomeFor(this.game, state, this.game.currentPlayer(state));
    const key = this.game.key(state);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const value = Math.max(...this.moveValues(state));
    this.memo.set(key, value);
    return value;
  }

  /** +1 (the player to move wins), 0 (draw) or −1 (loses) with perfect play. */
  outcome(state: State): number {
    return Math.sign(this.value(state));
  }

  /** The value of each of `game.legalMoves(state)`, in that order, for the player making it. */
  moveValues(state: State): number[] {
    const mover = this.game.currentPlayer(state);
    return this.game.legalMoves(state).map((move) => {
      const next = this.game.play(state, move);
      if (this.game.isTerminal(next)) return outcomeFor(this.game, next, mover);
      const value = this.discount * this.value(next);
      // 0 − value rather than −value, so a draw is +0 and not −0.
      return this.game.currentPlayer(next) === mover ? value : 0 - value;
    });
  }

  /** Every move of the highest value (the quickest win, or the slowest loss). */
  bestMoves(state: State): Move[] {
    const moves = this.game.legalMoves(state);
    if (moves.length === 0) throw new Error(`Minimax: ${this.game.name} state is terminal; it has no moves`);
    const values = this.moveValues(state);
    const best = Math.max(...values);
    return moves.filter((_, index) => Math.abs(values[index]! - best) < 1e-12);
  }
}

/** A perfect player: one of the best moves, drawn uniformly from `random` so games vary. */
export function minimaxPolicy<State, Move>(
  solver: Minimax<State, Move>,
  random: Random,
): GamePolicy<State, Move> {
  return (state) => {
    const moves = solver.bestMoves(state);
    return moves[random.int(moves.length)]!;
  };
}
