// Tic-tac-toe as a single-agent environment: the agent plays one side, a built-in opponent the other.
//
// Illegal moves, as PettingZoo's classic games treat them (TerminateIllegalWrapper): a move onto a
// taken cell ends the episode at once with reward −1 and `info.illegalMove` true; the board is left
// as it was. An action outside Discrete(9) (not an integer 0…8) is a programming error and throws,
// as Gymnasium's own environments assert `action_space.contains(action)`.
import type { Env, StepResult } from "../core/env.js";
import { Random } from "../core/random.js";
import { box, discrete } from "../core/spaces.js";
import type { Player } from "../games/game.js";
import { observationFor, type TicTacToeState, ticTacToe } from "../games/tic-tac-toe.js";

/** The opponent's move (a cell index) in a state where it is to move. */
export type TicTacToeOpponent = (state: TicTacToeState, random: Random) => number;

export interface TicTacToeEnvOptions {
  /** The built-in opponent; uniformly random over the empty cells by default. */
  opponent?: TicTacToeOpponent;
  /** The agent's mark: "X" moves first, "O" second, "random" (default) draws one at each reset. */
  agent?: "X" | "O" | "random";
}

/** A step's result, with what Gymnasium would put in `info`. */
export interface TicTacToeStepResult extends StepResult<number[]> {
  info: { illegalMove: boolean; winner: "agent" | "opponent" | "draw" | undefined };
}

/** A uniformly random opponent. */
export const randomOpponent: TicTacToeOpponent = (state, random) => {
  const moves = ticTacToe.legalMoves(state);
  return moves[random.int(moves.length)]!;
};

/**
 * TicTacToe-v0. The observation is the 9 cells, row by row, as the agent sees them: +1 its own
 * marks, −1 the opponent's, 0 empty. Actions are cells, Discrete(9). Reward +1 for a win, 0 for a
 * draw, −1 for a loss or an illegal move, all on the episode's last step (0 before).
 *
 * @example
 * const env = new TicTacToeEnv({ agent: "X" });
 * let { observation } = env.reset({ seed: 1 });
 * const { reward, terminated } = env.step(env.legalActions()[0]!);
 */
export class TicTacToeEnv implements Env<number[], number> {
  readonly id = "TicTacToe-v0";
  readonly observationSpace = box(-1, 1, 9);
  readonly actionSpace = discrete(9);
  private readonly opponent: TicTacToeOpponent;
  private readonly side: "X" | "O" | "random";
  private random = new Random(0);
  private board: TicTacToeState | undefined;
  private over = false;
  private agent: Player = 0;

  constructor(options: TicTacToeEnvOptions = {}) {
    this.opponent = options.opponent ?? randomOpponent;
    this.side = options.agent ?? "random";
    if (!["X", "O", "random"].includes(this.side)) {
      throw new Error(`TicTacToeEnv agent must be "X", "O" or "random", got "${this.side}"`);
    }
  }

  /** The current board. */
  get state(): TicTacToeState {
    if (!this.board) throw new Error("TicTacToeEnv: call reset() first");
    return this.board;
  }

  /** The agent's side this episode: 0 (X) or 1 (O). */
  get agentPlayer(): Player {
    return this.agent;
  }

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.random = new Random(options.seed);
    this.agent = this.side === "X" ? 0 : this.side === "O" ? 1 : this.random.next() < 0.5 ? 0 : 1;
    this.board = ticTacToe.initialState();
    this.over = false;
    if (this.agent === 1) this.board = this.opponentMove(this.board);
    return { observation: observationFor(this.board, this.agent) };
  }

  step(action: number): TicTacToeStepResult {
    if (!this.board) throw new Error("TicTacToeEnv: call reset() before step()");
    if (this.over) throw new Error("TicTacToeEnv: the episode is over; call reset() before step()");
    if (!Number.isInteger(action) || action < 0 || action > 8) {
      throw new RangeError(`TicTacToe actions are cells 0…8 (row by row), got ${action}`);
    }
    if (this.board[action] !== null) {
      this.over = true;
      return this.result(-1, true, { illegalMove: true, winner: undefined });
    }
    this.board = ticTacToe.play(this.board, action);
    if (!ticTacToe.isTerminal(this.board)) this.board = this.opponentMove(this.board);
    if (!ticTacToe.isTerminal(this.board))
      return this.result(0, false, { illegalMove: false, winner: undefined });
    this.over = true;
    const winner = ticTacToe.winner(this.board);
    if (winner === undefined) return this.result(0, true, { illegalMove: false, winner: "draw" });
    return winner === this.agent
      ? this.result(1, true, { illegalMove: false, winner: "agent" })
      : this.result(-1, true, { illegalMove: false, winner: "opponent" });
  }

  /** The empty cells (the legal actions), for action masking; none once the episode is over. */
  legalActions(): number[] {
    return this.board && !this.over ? [...ticTacToe.legalMoves(this.board)] : [];
  }

  private opponentMove(board: TicTacToeState): TicTacToeState {
    const move = this.opponent(board, this.random);
    if (board[move] !== null) {
      throw new Error(
        `TicTacToeEnv opponent chose cell ${move}, which is not empty; it must choose one of ${ticTacToe.legalMoves(board)}`,
      );
    }
    return ticTacToe.play(board, move);
  }

  private result(
    reward: number,
    terminated: boolean,
    info: TicTacToeStepResult["info"],
  ): TicTacToeStepResult {
    return {
      observation: observationFor(this.board!, this.agent),
      reward,
      terminated,
      truncated: false,
      info,
    };
  }
}

/** TicTacToe-v0 against a uniformly random opponent, the agent's side drawn at each reset. */
export function createTicTacToe(options: TicTacToeEnvOptions = {}): TicTacToeEnv {
  return new TicTacToeEnv(options);
}
