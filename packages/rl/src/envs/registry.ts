// Environments by id, for the benchmark and for tools that name an environment in text.
import type { Env } from "../core/env.js";
import { createCartPole } from "./cartpole.js";
import { createFrozenLake } from "./frozen-lake.js";
import { createPendulum } from "./pendulum.js";
import { createTicTacToe } from "./tic-tac-toe-env.js";

const FACTORIES: Record<string, () => Env> = {
  "CartPole-v1": createCartPole as () => Env,
  "Pendulum-v1": createPendulum as () => Env,
  "FrozenLake-v1": createFrozenLake as () => Env,
  "TicTacToe-v0": createTicTacToe as () => Env,
};

const ALIASES: Record<string, string> = {
  cartpole: "CartPole-v1",
  pendulum: "Pendulum-v1",
  frozenlake: "FrozenLake-v1",
  tictactoe: "TicTacToe-v0",
};

/** The ids `createEnv` accepts (aliases: cartpole, pendulum, frozenlake, tictactoe). */
export const ENV_IDS = Object.keys(FACTORIES);

/** Resolves an id or alias to the registered id, or throws naming the known ones. */
export function envId(name: string): string {
  const id = ALIASES[name.toLowerCase().replace(/[-_]/g, "")] ?? name;
  if (!FACTORIES[id]) throw new Error(`Unknown environment "${name}"; known: ${ENV_IDS.join(", ")}`);
  return id;
}

/** A new instance of the environment `name`. */
export function createEnv(name: string): Env {
  return FACTORIES[envId(name)]!();
}
