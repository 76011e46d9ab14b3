// A state-action value network for value-based algorithms (DQN and its relatives): an Mlp
// that maps an observation to one Q-value per Discrete action, with an optional dueling head.
import type { Checkpoint } from "../core/algorithm.js";
import type { Random } from "../core/random.js";
import { tf } from "./backend.js";
import { type Activation, Mlp } from "./mlp.js";

export interface QNetworkOptions {
  /** Widths of the hidden layers (default [64, 64]). */
  hiddenSizes?: readonly number[];
  activation?: Activation;
  /**
   * Dueling head (Wang et al. 2016): the hidden layers feed a value V(s) and advantages
   * A(s,a), combined as Q = V + A − mean_a A. Needs at least one hidden layer.
   */
  dueling?: boolean;
}

// tfjs registers variables by name for the whole process, so two live networks may not share
// one; each instance's variables carry a unique prefix, and checkpoints use the stable `name`.
let instances = 0;

/**
 * Q(s, ·) for a batch of observations: [batch, inputSize] in, [batch, actionCount] out.
 *
 * @example
 * const online = new QNetwork("online", 4, 2, random, { hiddenSizes: [256, 256], dueling: true });
 * const target = new QNetwork("target", 4, 2, random, { hiddenSizes: [256, 256], dueling: true });
 * target.updateFrom(online);
 * const q = online.apply(observations); // [batch, 2]
 */
export class QNetwork {
  readonly dueling: boolean;
  private readonly prefix: string;
  /** Without dueling, the whole network; with it, the hidden layers (their last output activated here). */
  private readonly body: Mlp;
  private readonly value: Mlp | undefined;
  private readonly advantage: Mlp | undefined;
  private readonly activation: Activation;

  constructor(
    readonly name: string,
    readonly inputSize: number,
    readonly actionCount: number,
    random: Random,
    options: QNetworkOptions = {},
  ) {
    const hidden = [...(options.hiddenSizes ?? [64, 64])];
    if (!Number.isInteger(inputSize) || inputSize <= 0)
      throw new RangeError(`QNetwork "${name}" needs a positive input size, got ${inputSize}`);
    if (!Number.isInteger(actionCount) || actionCount <= 0)
      throw new RangeError(`QNetwork "${name}" needs a positive action count, got ${actionCount}`);
    if (!hidden.every((size) => Number.isInteger(size) && size > 0))
      throw new RangeError(`QNetwork "${name}" hidden sizes must be positive integers, got [${hidden}]`);
    this.dueling = options.dueling ?? false;
    if (this.dueling && hidden.length === 0)
      throw new RangeError(`QNetwork "${name}": a dueling head needs at least one hidden layer`);
    this.activation = options.activation ?? "relu";
    instances += 1;
    this.prefix = `${name}~${instances}`;
    const mlpOptions = { activation: this.activation };
    if (this.dueling) {
      const features = hidden.at(-1)!;
      this.body = new Mlp(`${this.prefix}/torso`, [inputSize, ...hidden], random, mlpOptions);
      this.value = new Mlp(`${this.prefix}/value`, [features, 1], random, mlpOptions);
      this.advantage = new Mlp(`${this.prefix}/advantage`, [features, actionCount], random, mlpOptions);
    } else {
      this.body = new Mlp(`${this.prefix}/q`, [inputSize, ...hidden, actionCount], random, mlpOptions);
    }
  }

  /** Q-values, shape [batch, actionCount]. */
  apply(input: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.value || !this.advantage) return this.body.apply(input);
      const pre = this.body.apply(input);
      const features = this.activation === "relu" ? tf.relu(pre) : tf.tanh(pre);
      const advantage = this.advantage.apply(features);
      const centred = tf.sub(advantage, tf.mean(advantage, 1, true));
      return tf.add(this.value.apply(features), centred) as tf.Tensor2D;
    });
  }

  /** The index of the largest Q-value of each row. */
  greedyActions(input: tf.Tensor2D): Int32Array {
    const best = tf.tidy(() => tf.argMax(this.apply(input), 1));
    const actions = best.dataSync() as Int32Array;
    best.dispose();
    return actions;
  }

  variables(): tf.Variable[] {
    return this.parts().flatMap((part) => part.variables());
  }

  /** Moves each weight towards `source`'s: w ← τ·source + (1−τ)·w (τ = 1 copies). */
  updateFrom(source: QNetwork, tau = 1): void {
    const theirs = source.parts();
    if (
      theirs.length !== this.parts().length ||
      source.inputSize !== this.inputSize ||
      source.actionCount !== this.actionCount
    )
      throw new Error(`QNetwork "${this.name}" cannot follow "${source.name}": their architectures differ`);
    this.parts().forEach((part, index) => {
      part.updateFrom(theirs[index]!, tau);
    });
  }

  /** The weights, keyed `<name>/<part>/<w|b><layer>` whatever the instance. */
  toTensors(): Checkpoint["tensors"] {
    const tensors: Checkpoint["tensors"] = {};
    for (const part of this.parts()) {
      for (const [key, tensor] of Object.entries(part.toTensors())) tensors[this.stableKey(key)] = tensor;
    }
    return tensors;
  }

  /** Throws the error `loadTensors` would, without changing any weight. */
  checkTensors(tensors: Checkpoint["tensors"]): void {
    this.byVariableName(tensors);
  }

  /**
   * Loads weights saved by `toTensors` of a network with the same name and architecture.
   * Every tensor is checked before any is assigned, so a bad checkpoint changes nothing.
   */
  loadTensors(tensors: Checkpoint["tensors"]): void {
    const renamed = this.byVariableName(tensors);
    // tidy frees the tensors Mlp.loadTensors builds to assign from.
    tf.tidy(() => {
      for (const part of this.parts()) part.loadTensors(renamed);
    });
  }

  dispose(): void {
    for (const part of this.parts()) part.dispose();
  }

  private parts(): Mlp[] {
    return this.value && this.advantage ? [this.body, this.value, this.advantage] : [this.body];
  }

  /** The checkpoint's tensors keyed by this instance's variable names, each checked against its variable. */
  private byVariableName(tensors: Checkpoint["tensors"]): Checkpoint["tensors"] {
    const renamed: Checkpoint["tensors"] = {};
    for (const variable of this.variables()) {
      const key = this.stableKey(variable.name);
      const saved = tensors[key];
      if (!saved)
        throw new Error(
          `Checkpoint has no tensor "${key}" for Q-network "${this.name}"${this.dueling ? " (dueling)" : ""}`,
        );
      if (saved.shape.join("x") !== variable.shape.join("x"))
        throw new Error(
          `Checkpoint tensor "${key}" has shape [${saved.shape}], Q-network "${this.name}" needs [${variable.shape}]`,
        );
      if (saved.values.length !== variable.size)
        throw new Error(
          `Checkpoint tensor "${key}" has ${saved.values.length} values, needs ${variable.size}`,
        );
      renamed[variable.name] = saved;
    }
    return renamed;
  }

  private stableKey(variableName: string): string {
    return `${this.name}${variableName.slice(this.prefix.length)}`;
  }
}
