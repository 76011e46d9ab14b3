// `node --import tsx bench/mcts.ts [--games N] [--simulations N] [--seed N]`: MCTS plays TicTacToe-v0
// against a uniformly random player and against minimax, half the games as X and half as O, and
// reports wins/draws/losses (the last stdout line is JSON). Its gate: no losses at all, and every
// game against minimax drawn. It does not fit a `Preset` (MCTS trains nothing, and a preset's
// environment cannot be given the minimax opponent), so it runs on its own.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { TicTacToeMcts } from "../src/algorithms/mcts.js";
import { evaluate } from "../src/core/train.js";
import { TicTacToeEnv, type TicTacToeOpponent } from "../src/envs/tic-tac-toe-env.js";
import { Minimax } from "../src/games/minimax.js";
import { ticTacToe } from "../src/games/tic-tac-toe.js";

export interface Tally {
  wins: number;
  draws: number;
  losses: number;
}

export interface MctsBenchRun {
  algo: "mcts";
  env: "TicTacToe-v0";
  seed: number;
  simulations: number;
  /** Games against each opponent, half as X and half as O. */
  games: number;
  vs_random: { X: Tally; O: Tally };
  vs_minimax: { X: Tally; O: Tally };
  /** No losses, and every game against minimax drawn. */
  pass: boolean;
  wall_s: number;
}

const solver = new Minimax(ticTacToe);
const minimaxOpponent: TicTacToeOpponent = (state, random) => {
  const moves = solver.bestMoves(state);
  return moves[random.int(moves.length)]!;
};

const tally = (returns: number[]): Tally => ({
  wins: returns.filter((value) => value === 1).length,
  draws: returns.filter((value) => value === 0).length,
  losses: returns.filter((value) => value === -1).length,
});

/** Plays the benchmark's games and returns their tallies. */
export function runMctsBench(options: {
  games: number;
  simulations: number;
  seed: number;
  onProgress?: (line: string) => void;
}): MctsBenchRun {
  const started = performance.now();
  const play = (opponent: "random" | "minimax", side: "X" | "O", games: number) => {
    const env = new TicTacToeEnv({
      agent: side,
      opponent: opponent === "minimax" ? minimaxOpponent : undefined,
    });
    const mcts = new TicTacToeMcts(env.observationSpace, env.actionSpace, {
      seed: options.seed,
      simulations: options.simulations,
    });
    const sideStarted = performance.now();
    const result = tally(evaluate(mcts, env, { episodes: games, seed: options.seed * 1000 + games }));
    options.onProgress?.(
      `vs ${opponent} as ${side}: ${result.wins} won, ${result.draws} drawn, ${result.losses} lost in ${((performance.now() - sideStarted) / 1000).toFixed(2)}s`,
    );
    return result;
  };
  const asX = Math.ceil(options.games / 2);
  const asO = options.games - asX;
  const vsRandom = { X: play("random", "X", asX), O: play("random", "O", asO) };
  const vsMinimax = { X: play("minimax", "X", asX), O: play("minimax", "O", asO) };
  const all = [vsRandom.X, vsRandom.O, vsMinimax.X, vsMinimax.O];
  return {
    algo: "mcts",
    env: "TicTacToe-v0",
    seed: options.seed,
    simulations: options.simulations,
    games: options.games,
    vs_random: vsRandom,
    vs_minimax: vsMinimax,
    pass: all.every((side) => side.losses === 0) && vsMinimax.X.wins + vsMinimax.O.wins === 0,
    wall_s: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      games: { type: "string", default: "100" },
      simulations: { type: "string", default: "2000" },
      seed: { type: "string", default: "1" },
    },
  });
  const integer = (name: string, text: string, minimum: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) {
      process.stderr.write(`--${name} must be an integer >= ${minimum}, got "${text}"\n`);
      process.exit(2);
    }
    return value;
  };
  const run = runMctsBench({
    games: integer("games", values.games, 2),
    simulations: integer("simulations", values.simulations, 1),
    seed: integer("seed", values.seed, 0),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(
    `mcts (${run.simulations} simulations), seed ${run.seed}: ${run.pass ? "pass" : "FAIL"} in ${run.wall_s}s\n`,
  );
  process.stdout.write(`${JSON.stringify(run)}\n`);
}
