// Two-player, turn-based, perfect-information games: what search (MCTS, minimax) needs to know.
import type { Random } from "../core/random.js";

/** The player to move: 0 moves first (X in tic-tac-toe), 1 second. */
export type Player = 0 | 1;

/**
 * A deterministic two-player zero-sum game. States are immutable values: `play` returns a
 * new state and never changes the one it is given.
 *
 * @example
 * let state = ticTacToe.initialState();
 * while (!ticTacToe.isTerminal(state)) state = ticTacToe.play(state, ticTacToe.legalMoves(state)[0]!);
 * ticTacToe.winner(state); // 0, 1, or undefined for a draw
 */
export interface Game<State, Move> {
  readonly name: string;
  initialState(): State;
  /** Whose turn it is (meaningless once the state is terminal). */
  currentPlayer(state: State): Player;
  /** The moves the player to move may make, in a fixed order; empty when terminal. */
  legalMoves(state: State): readonly Move[];
  /** The state after the player to move makes `move`; throws if the move is illegal. */
  play(state: State, move: Move): State;
  isTerminal(state: State): boolean;
  /** The winner of a terminal state, or undefined for a draw (and for a game still going on). */
  winner(state: State): Player | undefined;
  /** A string that identifies the state, for memoisation and transposition tables. */
  key(state: State): string;
}

/** The other player. */
export const opponent = (player: Player): Player => (player === 0 ? 1 : 0);

/** A terminal state's outcome for `player`: +1 won, 0 draw, −1 lost. */
export function outcomeFor<State>(game: Game<State, unknown>, state: State, player: Player): number {
  const winner = game.winner(state);
  return winner === undefined ? 0 : winner === player ? 1 : -1;
}

/** Chooses a move for the player to move in a (non-terminal) state. */
export type GamePolicy<State, Move> = (state: State) => Move;

/** Plays a game out between two policies (index 0 plays first) and returns the winner and the moves. */
export function playGame<State, Move>(
  game: Game<State, Move>,
  players: readonly [GamePolicy<State, Move>, GamePolicy<State, Move>],
  start: State = game.initialState(),
): { winner: Player | undefined; moves: Move[]; final: State } {
  const moves: Move[] = [];
  let state = start;
  while (!game.isTerminal(state)) {
    const move = players[game.currentPlayer(state)](state);
    moves.push(move);
    state = game.play(state, move);
  }
  return { winner: game.winner(state), moves, final: state };
}

/** A uniformly random player. */
export function randomPolicy<State, Move>(game: Game<State, Move>, random: Random): GamePolicy<State, Move> {
  return (state) => {
    const moves = game.legalMoves(state);
    if (moves.length === 0) throw new Error(`Random policy: ${game.name} state is terminal; it has no moves`);
    return moves[random.int(moves.length)]!;
  };
}
