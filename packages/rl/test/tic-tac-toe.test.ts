// The tic-tac-toe game, its exact minimax solver and its single-agent environment.
import { describe, expect, it } from "vitest";
import { Random } from "../src/core/random.js";
import { TicTacToeEnv } from "../src/envs/tic-tac-toe-env.js";
import { playGame, randomPolicy } from "../src/games/game.js";
import { Minimax, minimaxPolicy } from "../src/games/minimax.js";
import {
  formatTicTacToe,
  observationFor,
  parseTicTacToe,
  stateFromObservation,
  type TicTacToeState,
  ticTacToe,
} from "../src/games/tic-tac-toe.js";

describe("tic-tac-toe rules", () => {
  it("has the known 255,168 games: 131,184 won by X, 77,904 by O, 46,080 drawn", () => {
    const tally = { x: 0, o: 0, draw: 0 };
    const count = (state: TicTacToeState) => {
      if (ticTacToe.isTerminal(state)) {
        const winner = ticTacToe.winner(state);
        if (winner === 0) tally.x += 1;
        else if (winner === 1) tally.o += 1;
        else tally.draw += 1;
        return;
      }
      for (const move of ticTacToe.legalMoves(state)) count(ticTacToe.play(state, move));
    };
    count(ticTacToe.initialState());
    expect(tally).toEqual({ x: 131_184, o: 77_904, draw: 46_080 });
  });

  it("plays without changing the state it is given, X first then O", () => {
    const empty = ticTacToe.initialState();
    const after = ticTacToe.play(empty, 4);
    expect(ticTacToe.key(empty)).toBe(".........");
    expect(ticTacToe.key(after)).toBe("....X....");
    expect(ticTacToe.currentPlayer(after)).toBe(1);
    expect(formatTicTacToe(ticTacToe.play(after, 0))).toBe("O..\n.X.\n...");
  });

  it("finds wins on rows, columns and diagonals, and a full board without a line is a draw", () => {
    expect(ticTacToe.winner(parseTicTacToe("XXX OO. ...")) ?? "none").toBe(0);
    expect(ticTacToe.winner(parseTicTacToe("XXO .O. OX."))).toBe(1);
    expect(ticTacToe.winner(parseTicTacToe("X.O XO. X..")) ?? "none").toBe(0);
    expect(ticTacToe.legalMoves(parseTicTacToe("XXX OO. ..."))).toEqual([]);
    const draw = parseTicTacToe("XOX XOO OXX");
    expect(ticTacToe.isTerminal(draw)).toBe(true);
    expect(ticTacToe.winner(draw)).toBeUndefined();
  });

  it("refuses a taken cell, a move outside the board, a move after the end and an unreachable board", () => {
    const state = parseTicTacToe("X.. ... ...");
    expect(() => ticTacToe.play(state, 0)).toThrow(/cell 0 is taken by X/);
    expect(() => ticTacToe.play(state, 9)).toThrow(/cell indices 0…8, got 9/);
    expect(() => ticTacToe.play(parseTicTacToe("XXX OO. ..."), 8)).toThrow(/game is over/);
    expect(() => parseTicTacToe("OO. ... ...")).toThrow(/unreachable/);
    expect(() => parseTicTacToe("XX")).toThrow(/9 of "X", "O" and "."/);
  });

  it("round-trips a board through the observation of the player to move", () => {
    for (const text of ["... ... ...", "X.. ... ...", "XO. .X. ..O", "XOX OX. ..."]) {
      const state = parseTicTacToe(text);
      const observation = observationFor(state, ticTacToe.currentPlayer(state));
      expect(ticTacToe.key(stateFromObservation(observation))).toBe(ticTacToe.key(state));
    }
    expect(() => stateFromObservation([1, 1, 0, 0, 0, 0, 0, 0, 0])).toThrow(
      /not one the player to move sees/,
    );
    expect(() => stateFromObservation([0.5, 0, 0, 0, 0, 0, 0, 0, 0])).toThrow(/9 cells of \+1/);
  });
});

describe("Minimax", () => {
  const solver = new Minimax(ticTacToe);

  it("solves the empty board as a draw, and a corner opening answered on an edge as a win for X", () => {
    expect(solver.outcome(ticTacToe.initialState())).toBe(0);
    expect(solver.outcome(parseTicTacToe("X.. ... ..."))).toBe(0);
    expect(solver.bestMoves(parseTicTacToe("X.. ... ..."))).toEqual([4]);
    expect(solver.outcome(parseTicTacToe("XO. ... ..."))).toBe(1);
  });

  it("takes an immediate win rather than a slower one", () => {
    expect(solver.bestMoves(parseTicTacToe("XX. OO. ..."))).toEqual([2]);
    // X wins at once at 6; 1 and 2 win too, but later.
    const state = parseTicTacToe("X.. XOO ...");
    const values = solver.moveValues(state);
    const moves = ticTacToe.legalMoves(state);
    expect(values[moves.indexOf(1)]).toBeGreaterThan(0);
    expect(values[moves.indexOf(2)]).toBeGreaterThan(0);
    expect(solver.bestMoves(state)).toEqual([6]);
  });

  it("blocks an immediate threat", () => {
    expect(solver.bestMoves(parseTicTacToe("XX. .O. ..."))).toEqual([2]);
    expect(solver.bestMoves(parseTicTacToe("O.X .X. ..."))).toEqual([6]);
  });

  it("puts off a loss it cannot avoid", () => {
    // O must block X's diagonal at 8, and still loses to the fork that follows; any other move loses at once.
    const state = parseTicTacToe("XO. .X. ...");
    expect(solver.outcome(state)).toBe(-1);
    expect(solver.moveValues(state).every((value) => value < 0)).toBe(true);
    expect(solver.bestMoves(state)).toEqual([8]);
  });

  it("never loses: it draws itself and beats a random player most of the time", () => {
    const random = new Random(5);
    const perfect = minimaxPolicy(solver, random);
    for (let game = 0; game < 10; game++) {
      expect(playGame(ticTacToe, [perfect, perfect]).winner).toBeUndefined();
    }
    let wins = 0;
    for (let game = 0; game < 40; game++) {
      const side = game % 2 === 0 ? 0 : 1;
      const opponent = randomPolicy(ticTacToe, random);
      const { winner } = playGame(ticTacToe, side === 0 ? [perfect, opponent] : [opponent, perfect]);
      expect(winner === undefined || winner === side).toBe(true);
      if (winner === side) wins += 1;
    }
    expect(wins).toBeGreaterThan(25);
  });
});

describe("TicTacToeEnv", () => {
  it("lets the agent move first as X, and shows the opponent's opening move to O", () => {
    const asX = new TicTacToeEnv({ agent: "X" });
    expect(asX.reset({ seed: 1 }).observation).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const asO = new TicTacToeEnv({ agent: "O" });
    const { observation } = asO.reset({ seed: 1 });
    expect(observation.filter((cell) => cell === -1)).toHaveLength(1);
    expect(observation.filter((cell) => cell !== 0)).toHaveLength(1);
    expect(asO.agentPlayer).toBe(1);
  });

  it("rewards +1 for a win, after which stepping again is an error", () => {
    // The opponent always takes the lowest empty cell, so X wins down the right column.
    const env = new TicTacToeEnv({ agent: "X", opponent: (state) => ticTacToe.legalMoves(state)[0]! });
    env.reset({ seed: 1 });
    expect(env.step(2)).toMatchObject({ reward: 0, terminated: false });
    expect(env.step(5)).toMatchObject({ reward: 0, terminated: false });
    const last = env.step(8);
    expect(last).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(last.info).toEqual({ illegalMove: false, winner: "agent" });
    expect(last.observation).toEqual([-1, -1, 1, 0, 0, 1, 0, 0, 1]);
    expect(() => env.step(4)).toThrow(/episode is over; call reset/);
  });

  it("ends the episode with −1 on a taken cell, and throws on an action outside Discrete(9)", () => {
    const env = new TicTacToeEnv({ agent: "X" });
    env.reset({ seed: 3 });
    const taken = env.step(4).observation.indexOf(-1);
    const illegal = env.step(taken);
    expect(illegal).toMatchObject({ reward: -1, terminated: true, info: { illegalMove: true } });
    expect(env.legalActions()).toEqual([]);
    env.reset();
    expect(() => env.step(9)).toThrow(RangeError);
    expect(() => env.step(1.5)).toThrow(/cells 0…8/);
    expect(() => new TicTacToeEnv().step(0)).toThrow(/call reset\(\) before step/);
  });

  it("reproduces its opponent's moves and the agent's sides from the seed", () => {
    const run = (seed: number) => {
      const env = new TicTacToeEnv();
      const trace: number[][] = [];
      for (let episode = 0; episode < 5; episode++) {
        let { observation } = env.reset(episode === 0 ? { seed } : {});
        trace.push(observation);
        for (;;) {
          const step = env.step(env.legalActions()[0]!);
          trace.push(step.observation);
          if (step.terminated) break;
          observation = step.observation;
        }
      }
      return trace;
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });
});
