// Tic-tac-toe on a 3×3 board: X (player 0) moves first; a move is a cell index 0…8, row by row.
import type { Game, Player } from "./game.js";

/** A cell: the player whose mark is on it, or null when empty. */
export type Cell = Player | null;
/** A board of 9 cells, row by row; whose turn it is follows from the marks on it. */
export type TicTacToeState = readonly Cell[];

const LINES = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
] as const;

const MARKS = ["X", "O"] as const;

function lineWinner(cells: TicTacToeState): Player | undefined {
  for (const [a, b, c] of LINES) {
    const mark = cells[a];
    if (mark !== null && mark !== undefined && mark === cells[b] && mark === cells[c]) return mark;
  }
  return undefined;
}

const marksOf = (cells: TicTacToeState, player: Player) => cells.filter((cell) => cell === player).length;

/** Tic-tac-toe as a `Game`. */
export const ticTacToe: Game<TicTacToeState, number> = {
  name: "tic-tac-toe",
  initialState: () => Array.from({ length: 9 }, () => null),
  currentPlayer: (cells) => (marksOf(cells, 0) > marksOf(cells, 1) ? 1 : 0),
  legalMoves(cells) {
    if (lineWinner(cells) !== undefined) return [];
    const moves: number[] = [];
    for (let cell = 0; cell < 9; cell++) if (cells[cell] === null) moves.push(cell);
    return moves;
  },
  play(cells, move) {
    if (!Number.isInteger(move) || move < 0 || move > 8) {
      throw new RangeError(`Tic-tac-toe moves are cell indices 0…8, got ${move}`);
    }
    if (cells[move] !== null) {
      throw new Error(`Tic-tac-toe cell ${move} is taken by ${MARKS[cells[move]!]}; pick an empty cell`);
    }
    if (lineWinner(cells) !== undefined) throw new Error("Tic-tac-toe game is over: no move can be played");
    const next = cells.slice();
    next[move] = ticTacToe.currentPlayer(cells);
    return next;
  },
  isTerminal: (cells) => lineWinner(cells) !== undefined || cells.every((cell) => cell !== null),
  winner: lineWinner,
  key: (cells) => cells.map((cell) => (cell === null ? "." : MARKS[cell])).join(""),
};

/**
 * A board from text: 9 of `X`, `O` and `.` (empty), row by row; whitespace is ignored.
 *
 * @example
 * parseTicTacToe("XX. OO. ...") // X to move, and wins at cell 2
 */
export function parseTicTacToe(text: string): TicTacToeState {
  const symbols = text.replace(/\s+/g, "");
  if (!/^[XO.]{9}$/.test(symbols)) {
    throw new Error(`A tic-tac-toe board is 9 of "X", "O" and "." (whitespace ignored), got "${text}"`);
  }
  const cells = [...symbols].map((symbol): Cell => (symbol === "X" ? 0 : symbol === "O" ? 1 : null));
  const lead = marksOf(cells, 0) - marksOf(cells, 1);
  if (lead !== 0 && lead !== 1) {
    throw new Error(`Tic-tac-toe board "${text}" is unreachable: X must have as many marks as O or one more`);
  }
  return cells;
}

/** The board as three lines of `X`, `O` and `.`. */
export function formatTicTacToe(cells: TicTacToeState): string {
  const symbols = ticTacToe.key(cells);
  return [symbols.slice(0, 3), symbols.slice(3, 6), symbols.slice(6, 9)].join("\n");
}

/** The board seen by `player`: +1 for its marks, −1 for its opponent's, 0 for empty cells. */
export function observationFor(cells: TicTacToeState, player: Player): number[] {
  return cells.map((cell) => (cell === null ? 0 : cell === player ? 1 : -1));
}

/**
 * The board behind an observation made by the player to move (`observationFor(state, currentPlayer)`):
 * equal mark counts mean the observer is X, one fewer of its own that it is O.
 */
export function stateFromObservation(observation: readonly number[]): TicTacToeState {
  if (observation.length !== 9 || observation.some((value) => value !== 0 && value !== 1 && value !== -1)) {
    throw new Error(
      `A tic-tac-toe observation is 9 cells of +1 (own mark), −1 (opponent's) or 0, got [${observation}]`,
    );
  }
  const own = observation.filter((value) => value === 1).length;
  const theirs = observation.filter((value) => value === -1).length;
  if (own !== theirs && own + 1 !== theirs) {
    throw new Error(
      `Tic-tac-toe observation [${observation}] is not one the player to move sees: it has ${own} own marks and ${theirs} of the opponent's`,
    );
  }
  const observer: Player = own === theirs ? 0 : 1;
  return observation.map(
    (value): Cell => (value === 0 ? null : value === 1 ? observer : observer === 0 ? 1 : 0),
  );
}
