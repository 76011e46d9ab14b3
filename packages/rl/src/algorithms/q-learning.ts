// Tabular Q-learning (Watkins): Q(s,a) ← Q(s,a) + α·(r + γ·max Q(s',·) − Q(s,a)), ε-greedy.
import { type Checkpoint, CheckpointSchema, type RLAlgorithm, type Transition } from "../core/algorithm.js";
import { Random } from "../core/random.js";
import { linear, type Schedule } from "../core/schedules.js";
import type { Space } from "../core/spaces.js";

export interface QLearningOptions {
  seed: number;
  learningRate?: number;
  gamma?: number;
  /** ε from `epsilonStart` to `epsilonEnd` over `epsilonSteps` explored steps. */
  epsilonStart?: number;
  epsilonEnd?: number;
  epsilonSteps?: number;
}

/** A Q-table over Discrete observations and actions. */
export class QLearning implements RLAlgorithm<number, number> {
  readonly name = "q-learning";
  readonly hyperparameters;
  private readonly table: Float64Array;
  private readonly random: Random;
  private readonly epsilon: Schedule;
  private readonly states: number;
  private readonly actions: number;
  private steps = 0;
  private pending: Transition<number, number>[] = [];

  constructor(observationSpace: Space, actionSpace: Space, options: QLearningOptions) {
    if (observationSpace.kind !== "discrete" || actionSpace.kind !== "discrete") {
      throw new Error(
        "Q-learning needs Discrete observation and action spaces; use DQN for Box observations",
      );
    }
    this.states = observationSpace.n;
    this.actions = actionSpace.n;
    this.hyperparameters = {
      learning_rate: options.learningRate ?? 0.1,
      gamma: options.gamma ?? 0.99,
      epsilon_start: options.epsilonStart ?? 1,
      epsilon_end: options.epsilonEnd ?? 0.05,
      epsilon_steps: options.epsilonSteps ?? 10_000,
      seed: options.seed,
    };
    this.table = new Float64Array(this.states * this.actions);
    this.random = new Random(options.seed);
    this.epsilon = linear(
      this.hyperparameters.epsilon_start,
      this.hyperparameters.epsilon_end,
      this.hyperparameters.epsilon_steps,
    );
  }

  act(observation: number, options: { explore?: boolean } = {}): number {
    if (options.explore) {
      const epsilon = this.epsilon(this.steps);
      this.steps += 1;
      if (this.random.next() < epsilon) return this.random.int(this.actions);
    }
    return this.greedy(observation);
  }

  observe(transition: Transition<number, number>): void {
    this.pending.push(transition);
  }

  train() {
    if (this.pending.length === 0) return undefined;
    const { learning_rate: alpha, gamma } = this.hyperparameters;
    let tdError = 0;
    for (const { observation, action, reward, nextObservation, terminated } of this.pending) {
      const target = reward + (terminated ? 0 : gamma * this.maxValue(nextObservation));
      const index = observation * this.actions + action;
      const error = target - this.table[index]!;
      this.table[index] = this.table[index]! + alpha * error;
      tdError += Math.abs(error);
    }
    const stats = { td_error: tdError / this.pending.length, epsilon: this.epsilon(this.steps) };
    this.pending = [];
    return stats;
  }

  /** Q(s, a). */
  value(observation: number, action: number): number {
    return this.table[observation * this.actions + action]!;
  }

  save(): Checkpoint {
    return {
      algorithm: this.name,
      version: 1,
      hyperparameters: this.hyperparameters,
      tensors: { q: { shape: [this.states, this.actions], values: Array.from(this.table) } },
      state: { steps: this.steps },
    };
  }

  load(checkpoint: unknown): void {
    const parsed = CheckpointSchema.parse(checkpoint);
    if (parsed.algorithm !== this.name)
      throw new Error(`Checkpoint is for ${parsed.algorithm}, not ${this.name}`);
    const q = parsed.tensors.q;
    if (!q || q.shape[0] !== this.states || q.shape[1] !== this.actions) {
      throw new Error(`Checkpoint's Q-table is [${q?.shape}], this one is [${this.states},${this.actions}]`);
    }
    this.table.set(q.values);
    this.steps = typeof parsed.state.steps === "number" ? parsed.state.steps : 0;
  }

  dispose(): void {}

  private greedy(observation: number): number {
    let best = Number.NEGATIVE_INFINITY;
    let ties: number[] = [];
    for (let action = 0; action < this.actions; action++) {
      const value = this.value(observation, action);
      if (value > best) {
        best = value;
        ties = [action];
      } else if (value === best) ties.push(action);
    }
    return ties.length === 1 ? ties[0]! : ties[this.random.int(ties.length)]!;
  }

  private maxValue(observation: number): number {
    let best = Number.NEGATIVE_INFINITY;
    for (let action = 0; action < this.actions; action++)
      best = Math.max(best, this.value(observation, action));
    return best;
  }
}
