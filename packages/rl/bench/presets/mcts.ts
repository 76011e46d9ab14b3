import type { CustomGate } from "../gate.js";
import { runMctsBench } from "../mcts.js";

export const gates: CustomGate[] = [
  {
    algorithm: "mcts",
    env: "TicTacToe-v0",
    description: "no loss in 100 games against random, every game against minimax drawn (2000 simulations)",
    run: async (seed, log) => {
      const result = runMctsBench({ games: 100, simulations: 2000, seed, onProgress: log });
      const lost =
        result.vs_random.X.losses +
        result.vs_random.O.losses +
        result.vs_minimax.X.losses +
        result.vs_minimax.O.losses;
      const drawn = result.vs_minimax.X.draws + result.vs_minimax.O.draws;
      return {
        result: { ...result },
        passed: result.pass,
        summary: `${lost} lost, ${drawn}/${result.games} drawn vs minimax (${result.wall_s}s)`,
      };
    },
  },
];
