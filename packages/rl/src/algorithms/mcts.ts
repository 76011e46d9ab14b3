// Monte Carlo tree search: UCT (UCB1 on each node, random or policy rollouts), or PUCT as in
// AlphaZero when a prior gives move probabilities and a value for the leaves instead of rollouts.
import {
  type Checkpoint,
  CheckpointSchema,
  type RLAlgorithm,
  type TrainStats,
  type Transition,
} from "../core/algorithm.js";
import { Random } from "../core/random.js";
import type { Space } from "../core/spaces.js";
import { type Game, outcomeFor, type Player } from "../games/game.js";
import { stateFromObservation, type TicTacToeState, ticTacToe } from "../games/tic-tac-toe.js";

/** What a learned (or exact) evaluator tells the search about a non-terminal state. */
export interface MctsPrior<State> {
  /** A probability for each of `game.legalMoves(state)`, in that order (normalised here). */
  policy(state: State): readonly number[];
  /** The state's value in [−1, 1] for the player to move. */
  value(state: State): number;
}

/** Picks the next move of a rollout. */
export type RolloutPolicy<State, Move> = (state: State, moves: readonly Move[], random: Random) => Move;

export interface MctsOptions<State, Move> {
  seed: number;
  /** Simulations (selection, expansion, evaluation, backup) per search; default 1000. */
  simulations?: number;
  /** c in UCB1's Q + c·√(ln N / n), default √2; with a prior, c in PUCT's Q + c·P·√N / (1 + n), default 1.25. */
  exploration?: number;
  /** Rollouts from a new leaf, when there is no prior; uniformly random moves by default. */
  rollout?: RolloutPolicy<State, Move>;
  /** When given, leaves are valued by `prior.value` (no rollout) and children explored by `prior.policy`. */
  prior?: MctsPrior<State>;
}

/** What one search found at its root. */
export interface SearchResult<Move> {
  /** The most visited move (ties: the higher mean value, then at random). */
  move: Move;
  moves: readonly Move[];
  /** Simulations through each move. */
  visits: number[];
  /** Each move's mean value for the player to move (NaN if never visited). */
  values: number[];
  /** The root's mean value for the player to move. */
  value: number;
}

class SearchNode<State, Move> {
  visits = 0;
  /** Summed values for the player who moved into this node (for the root, the player to move). */
  valueSum = 0;
  readonly moves: readonly Move[];
  readonly children: (SearchNode<State, Move> | undefined)[];
  priors: number[] | undefined;

  constructor(
    readonly state: State,
    readonly terminal: boolean,
    /** Who moved into this node; undefined for the root. */
    readonly mover: Player | undefined,
    game: Game<State, Move>,
  ) {
    this.moves = terminal ? [] : game.legalMoves(state);
    this.children = new Array(this.moves.length);
  }
}

const DEFAULT_SIMULATIONS = 1000;

/**
 * A Monte Carlo tree search over any `Game`, building a fresh tree for each `search`.
 *
 * @example
 * const mcts = new Mcts(ticTacToe, { seed: 1, simulations: 1000 });
 * mcts.search(parseTicTacToe("XX. OO. ...")).move; // 2
 */
export class Mcts<State, Move> {
  readonly simulations: number;
  readonly exploration: number;
  private readonly random: Random;
  private readonly rollout: RolloutPolicy<State, Move>;
  private readonly prior: MctsPrior<State> | undefined;

  constructor(
    private readonly game: Game<State, Move>,
    options: MctsOptions<State, Move>,
  ) {
    this.simulations = options.simulations ?? DEFAULT_SIMULATIONS;
    this.exploration = options.exploration ?? (options.prior ? 1.25 : Math.SQRT2);
    if (!Number.isInteger(this.simulations) || this.simulations < 1) {
      throw new RangeError(`MCTS simulations must be a positive integer, got ${options.simulations}`);
    }
    if (!(this.exploration >= 0)) {
      throw new RangeError(`MCTS exploration constant must be >= 0, got ${options.exploration}`);
    }
    this.random = new Random(options.seed);
    this.rollout = options.rollout ?? ((_, moves, random) => moves[random.int(moves.length)]!);
    this.prior = options.prior;
  }

  /** Searches from `state` (not terminal) with `simulations` simulations. */
  search(state: State, random: Random = this.random): SearchResult<Move> {
    if (this.game.isTerminal(state))
      throw new Error(`MCTS: the ${this.game.name} state is terminal; nothing to search`);
    const root = new SearchNode(state, false, undefined, this.game);
    for (let simulation = 0; simulation < this.simulations; simulation++) this.simulate(root, random);
    const visits = root.children.map((child) => child?.visits ?? 0);
    const values = root.children.map((child) => (child?.visits ? child.valueSum / child.visits : Number.NaN));
    const meanOf = (index: number) => (visits[index] ? values[index]! : 0);
    let best = 0;
    let ties = 1;
    for (let index = 1; index < visits.length; index++) {
      const order = visits[index]! - visits[best]! || meanOf(index) - meanOf(best);
      if (order > 0) {
        best = index;
        ties = 1;
      } else if (order === 0 && random.int(++ties) === 0) best = index;
    }
    return { move: root.moves[best]!, moves: root.moves, visits, values, value: root.valueSum / root.visits };
  }

  private simulate(root: SearchNode<State, Move>, random: Random): void {
    const path = [root];
    let node = root;
    while (!node.terminal && node.visits > 0) {
      const index = this.select(node, random);
      let child = node.children[index];
      if (!child) {
        const next = this.game.play(node.state, node.moves[index]!);
        child = new SearchNode(
          next,
          this.game.isTerminal(next),
          this.game.currentPlayer(node.state),
          this.game,
        );
        node.children[index] = child;
      }
      path.push(child);
      node = child;
      if (child.visits === 0) break;
    }
    const { player, value } = this.evaluate(node, random);
    const rootPlayer = this.game.currentPlayer(root.state);
    for (const visited of path) {
      visited.visits += 1;
      visited.valueSum += (visited.mover ?? rootPlayer) === player ? value : -value;
    }
  }

  /** The leaf's value for the returned player: the outcome, the prior's value, or a rollout's outcome. */
  private evaluate(leaf: SearchNode<State, Move>, random: Random): { player: Player; value: number } {
    if (leaf.terminal) {
      const player = leaf.mover ?? this.game.currentPlayer(leaf.state);
      return { player, value: outcomeFor(this.game, leaf.state, player) };
    }
    const player = this.game.currentPlayer(leaf.state);
    if (this.prior) {
      leaf.priors = this.priorPolicy(leaf);
      const value = this.prior.value(leaf.state);
      if (!(value >= -1 && value <= 1))
        throw new RangeError(`MCTS prior value must be in [-1, 1], got ${value}`);
      return { player, value };
    }
    let state = leaf.state;
    while (!this.game.isTerminal(state)) {
      state = this.game.play(state, this.rollout(state, this.game.legalMoves(state), random));
    }
    return { player, value: outcomeFor(this.game, state, player) };
  }

  private priorPolicy(leaf: SearchNode<State, Move>): number[] {
    const policy = this.prior!.policy(leaf.state);
    if (policy.length !== leaf.moves.length) {
      throw new Error(
        `MCTS prior policy has ${policy.length} probabilities; it needs one per legal move (${leaf.moves.length}), in legalMoves order`,
      );
    }
    let total = 0;
    for (const probability of policy) {
      if (!(probability >= 0))
        throw new RangeError(`MCTS prior probabilities must be >= 0, got ${probability}`);
      total += probability;
    }
    return policy.map((probability) => (total > 0 ? probability / total : 1 / policy.length));
  }

  /** UCB1 (UCT), or PUCT with the node's priors; unvisited moves first under UCB1, ties at random. */
  private select(node: SearchNode<State, Move>, random: Random): number {
    const c = this.exploration;
    const logVisits = Math.log(node.visits);
    const sqrtVisits = Math.sqrt(node.visits);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    let ties = 0;
    for (let index = 0; index < node.moves.length; index++) {
      const child = node.children[index];
      const visits = child?.visits ?? 0;
      const mean = visits > 0 ? child!.valueSum / visits : 0;
      const score = node.priors
        ? mean + (c * node.priors[index]! * sqrtVisits) / (1 + visits)
        : visits === 0
          ? Number.POSITIVE_INFINITY
          : mean + c * Math.sqrt(logVisits / visits);
      if (score > bestScore) {
        best = index;
        bestScore = score;
        ties = 1;
      } else if (score === bestScore && random.int(++ties) === 0) best = index;
    }
    return best;
  }
}

/** A prior the agent also trains as it plays: `observe`/`train`/`save`/`load` are forwarded to it. */
export interface TicTacToePrior extends MctsPrior<TicTacToeState> {
  observe?(transition: Transition<number[], number>): void;
  train?(): TrainStats | undefined;
  save?(): Checkpoint;
  load?(checkpoint: unknown): void;
  dispose?(): void;
}

export interface TicTacToeMctsOptions extends Omit<MctsOptions<TicTacToeState, number>, "prior"> {
  prior?: TicTacToePrior;
}

/**
 * MCTS as an `RLAlgorithm` for TicTacToe-v0: `act` rebuilds the board from the observation and
 * searches it; greedy play takes the most visited move, exploring play samples moves in proportion
 * to their visits. Without a learned prior nothing is learned (`observe`/`train` do nothing).
 *
 * @example
 * const env = createTicTacToe();
 * const mcts = new TicTacToeMcts(env.observationSpace, env.actionSpace, { seed: 1, simulations: 2000 });
 * evaluate(mcts, env, { episodes: 50, seed: 1 }); // +1 or 0, never −1
 */
export class TicTacToeMcts implements RLAlgorithm<number[], number> {
  readonly name = "mcts";
  private settings: {
    game: string;
    simulations: number;
    exploration: number;
    rollout: string;
    prior: boolean;
    seed: number;
  };
  private mcts: Mcts<TicTacToeState, number>;
  private streams: Random;
  private searches = 0;

  constructor(
    observationSpace: Space,
    actionSpace: Space,
    private readonly options: TicTacToeMctsOptions,
  ) {
    if (
      observationSpace.kind !== "box" ||
      observationSpace.shape.length !== 1 ||
      observationSpace.shape[0] !== 9
    ) {
      throw new Error("TicTacToeMcts needs TicTacToe-v0's observation space, a Box of 9 cells");
    }
    if (actionSpace.kind !== "discrete" || actionSpace.n !== 9) {
      throw new Error("TicTacToeMcts needs TicTacToe-v0's action space, Discrete(9)");
    }
    this.mcts = new Mcts(ticTacToe, options);
    this.settings = {
      game: ticTacToe.name,
      simulations: this.mcts.simulations,
      exploration: this.mcts.exploration,
      rollout: options.rollout ? "custom" : "random",
      prior: options.prior !== undefined,
      seed: options.seed,
    };
    this.streams = new Random(options.seed);
  }

  get hyperparameters(): Readonly<TicTacToeMcts["settings"]> {
    return this.settings;
  }

  act(observation: number[], options: { explore?: boolean } = {}): number {
    // One stream per search, forked from one per seed, so a checkpoint's search count resumes it.
    const random = this.streams.fork();
    this.searches += 1;
    const result = this.mcts.search(stateFromObservation(observation), random);
    return options.explore ? result.moves[random.categorical(result.visits)]! : result.move;
  }

  observe(transition: Transition<number[], number>): void {
    this.options.prior?.observe?.(transition);
  }

  train(): TrainStats | undefined {
    return this.options.prior?.train?.();
  }

  save(): Checkpoint {
    const prior = this.options.prior?.save?.();
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: { ...this.settings },
      tensors: {},
      state: { searches: this.searches, ...(prior ? { prior } : {}) },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    const saved = parsed.hyperparameters;
    if (saved.game !== this.settings.game) {
      throw new Error(`Checkpoint is MCTS for ${String(saved.game)}, this one plays ${this.settings.game}`);
    }
    if (saved.prior !== this.settings.prior || saved.rollout !== this.settings.rollout) {
      throw new Error(
        `Checkpoint was saved with prior=${saved.prior}, rollout=${saved.rollout}; this MCTS has prior=${this.settings.prior}, rollout=${this.settings.rollout}: construct it with the same prior and rollout`,
      );
    }
    const { simulations, exploration, seed } = saved;
    const searches = parsed.state.searches;
    if (typeof simulations !== "number" || typeof exploration !== "number" || typeof seed !== "number") {
      throw new Error("MCTS checkpoint needs numeric simulations, exploration and seed hyperparameters");
    }
    if (typeof searches !== "number" || !Number.isInteger(searches) || searches < 0) {
      throw new Error(`MCTS checkpoint's state.searches must be a count, got ${String(searches)}`);
    }
    this.mcts = new Mcts(ticTacToe, { ...this.options, simulations, exploration, seed });
    this.settings = { ...this.settings, simulations, exploration, seed };
    this.streams = new Random(seed);
    for (let search = 0; search < searches; search++) this.streams.fork();
    this.searches = searches;
    if (parsed.state.prior !== undefined) this.options.prior?.load?.(parsed.state.prior);
  }

  dispose(): void {
    this.options.prior?.dispose?.();
  }
}
