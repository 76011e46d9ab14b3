// Rainbow's options, each of its six parts switchable, and the defaults they resolve to.

/** How to build and train a Rainbow agent; every field but `seed` has a default. */
export interface RainbowOptions {
  seed: number;
  /** Hidden widths: all but the last are the shared torso, the last each stream's hidden layer. */
  hiddenSizes?: readonly number[];
  learningRate?: number;
  /** Adam's ε (the paper's 1.5e-4 keeps early updates from overshooting). */
  adamEpsilon?: number;
  gamma?: number;
  batchSize?: number;
  bufferSize?: number;
  /** Environment steps of uniformly random actions before the first update. */
  learningStarts?: number;
  /** An update every this many environment steps. */
  trainEvery?: number;
  /** Environment steps between target-network updates. */
  targetUpdateInterval?: number;
  /** The target's share of the online weights at each update (1: a hard copy). */
  tau?: number;
  /** Gradients are scaled down to this global L2 norm. */
  maxGradNorm?: number;

  /** C51 return distributions (false: scalar Q-values with a Huber loss). */
  distributional?: boolean;
  atoms?: number;
  vMin?: number;
  vMax?: number;

  /** Noisy layers explore (false: ε-greedy, ε from `epsilonStart` to `epsilonEnd` over `epsilonSteps`). */
  noisy?: boolean;
  sigma0?: number;
  epsilonStart?: number;
  epsilonEnd?: number;
  epsilonSteps?: number;

  /** Prioritized replay (false: uniform). */
  prioritized?: boolean;
  priorityAlpha?: number;
  /** Importance-sampling exponent β, annealed linearly to 1 over `priorityBetaSteps` environment steps. */
  priorityBetaStart?: number;
  priorityBetaSteps?: number;
  priorityEpsilon?: number;

  /** Steps folded into each return (1: one-step TD). */
  nSteps?: number;
  /** Separate value and advantage streams. */
  dueling?: boolean;
  /** The online network picks the next action, the target network values it. */
  double?: boolean;
}

/** The resolved options, as a run prints them and a checkpoint records them. */
export interface RainbowHyperparameters {
  [name: string]: number | boolean | readonly number[];
  hidden_sizes: readonly number[];
  learning_rate: number;
  adam_epsilon: number;
  gamma: number;
  batch_size: number;
  buffer_size: number;
  learning_starts: number;
  train_every: number;
  target_update_interval: number;
  tau: number;
  max_grad_norm: number;
  distributional: boolean;
  atoms: number;
  v_min: number;
  v_max: number;
  noisy: boolean;
  sigma0: number;
  epsilon_start: number;
  epsilon_end: number;
  epsilon_steps: number;
  prioritized: boolean;
  priority_alpha: number;
  priority_beta_start: number;
  priority_beta_steps: number;
  priority_epsilon: number;
  n_steps: number;
  dueling: boolean;
  double: boolean;
  seed: number;
}

/** Fills in defaults and rejects values that cannot work, naming the option. */
export function resolveRainbowOptions(options: RainbowOptions): RainbowHyperparameters {
  const resolved: RainbowHyperparameters = {
    hidden_sizes: [...(options.hiddenSizes ?? [128, 128])],
    learning_rate: options.learningRate ?? 1e-3,
    adam_epsilon: options.adamEpsilon ?? 1.5e-4,
    gamma: options.gamma ?? 0.99,
    batch_size: options.batchSize ?? 64,
    buffer_size: options.bufferSize ?? 100_000,
    learning_starts: options.learningStarts ?? 1_000,
    train_every: options.trainEvery ?? 1,
    target_update_interval: options.targetUpdateInterval ?? 500,
    tau: options.tau ?? 1,
    max_grad_norm: options.maxGradNorm ?? 10,
    distributional: options.distributional ?? true,
    atoms: options.atoms ?? 51,
    v_min: options.vMin ?? -10,
    v_max: options.vMax ?? 10,
    noisy: options.noisy ?? true,
    sigma0: options.sigma0 ?? 0.5,
    epsilon_start: options.epsilonStart ?? 1,
    epsilon_end: options.epsilonEnd ?? 0.05,
    epsilon_steps: options.epsilonSteps ?? 10_000,
    prioritized: options.prioritized ?? true,
    priority_alpha: options.priorityAlpha ?? 0.5,
    priority_beta_start: options.priorityBetaStart ?? 0.4,
    priority_beta_steps: options.priorityBetaSteps ?? 100_000,
    priority_epsilon: options.priorityEpsilon ?? 1e-6,
    n_steps: options.nSteps ?? 3,
    dueling: options.dueling ?? true,
    double: options.double ?? true,
    seed: options.seed,
  };
  const positiveIntegers = [
    "batch_size",
    "buffer_size",
    "train_every",
    "target_update_interval",
    "atoms",
    "n_steps",
    "epsilon_steps",
    "priority_beta_steps",
  ] as const;
  for (const name of positiveIntegers) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`Rainbow ${name} must be an integer >= 1, got ${value}`);
  }
  if (
    !resolved.hidden_sizes.length ||
    !resolved.hidden_sizes.every((size) => Number.isInteger(size) && size > 0)
  ) {
    throw new RangeError(
      `Rainbow hidden_sizes must be one or more positive integers, got [${resolved.hidden_sizes}]`,
    );
  }
  if (!(resolved.gamma > 0 && resolved.gamma <= 1))
    throw new RangeError(`Rainbow gamma must be in (0, 1], got ${resolved.gamma}`);
  if (!(resolved.tau > 0 && resolved.tau <= 1))
    throw new RangeError(`Rainbow tau must be in (0, 1], got ${resolved.tau}`);
  if (!Number.isInteger(resolved.learning_starts) || resolved.learning_starts < 0) {
    throw new RangeError(`Rainbow learning_starts must be an integer >= 0, got ${resolved.learning_starts}`);
  }
  if (resolved.distributional && resolved.atoms < 2) {
    throw new RangeError(`Distributional Rainbow needs atoms >= 2, got ${resolved.atoms}`);
  }
  if (resolved.distributional && !(resolved.v_min < resolved.v_max)) {
    throw new RangeError(`Rainbow needs v_min < v_max, got v_min=${resolved.v_min}, v_max=${resolved.v_max}`);
  }
  return resolved;
}
