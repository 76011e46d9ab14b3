// Rainbow's value network: a shared torso, then one stream of logits per action (or, dueling,
// a value and an advantage stream combined as V + A − mean A), over `atoms` return atoms.
import type { Checkpoint } from "../../core/algorithm.js";
import type { Random } from "../../core/random.js";
import { tf } from "../../nn/backend.js";
import { matMulFastGrad as matMul } from "../../nn/fast-mlp.js";
import { NoisyDense } from "../../nn/noisy-dense.js";

/** The sizes and switches that fix a network's parameters. */
export interface RainbowNetworkShape {
  inputs: number;
  actions: number;
  /** Atoms of each action's return distribution; 1 makes the outputs plain Q-values. */
  atoms: number;
  /** Hidden widths: all but the last form the shared torso, the last is each stream's hidden layer. */
  hiddenSizes: readonly number[];
  dueling: boolean;
  /** Noisy layers in the streams (the torso stays plain, as in the paper). */
  noisy: boolean;
  sigma0: number;
}

interface Layer {
  apply(input: tf.Tensor2D, options: { noise: boolean }): tf.Tensor2D;
  parameters(): Record<string, tf.Variable>;
  resetNoise(random: Random): void;
  dispose(): void;
}

/** A plain linear layer, initialised like a noisy layer's means: U(−1/√inputs, 1/√inputs). */
class Dense implements Layer {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(inputs: number, outputs: number, random: Random) {
    const bound = 1 / Math.sqrt(inputs);
    const uniform = (size: number) =>
      Float32Array.from({ length: size }, () => random.uniform(-bound, bound));
    this.weight = tf.tidy(() => tf.variable(tf.tensor2d(uniform(inputs * outputs), [inputs, outputs])));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(uniform(outputs))));
  }

  apply(input: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(matMul(input, this.weight as tf.Tensor2D), this.bias));
  }

  parameters(): Record<string, tf.Variable> {
    return { weight: this.weight, bias: this.bias };
  }

  resetNoise(): void {}

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}

/** The layers of one path through the network, ReLU between them. */
type Stack = Layer[];

/** Per-action logits over return atoms, for a batch of observations. */
export class RainbowNetwork {
  private readonly torso: Stack;
  private readonly streams: Record<string, Stack>;

  constructor(
    readonly shape: RainbowNetworkShape,
    random: Random,
  ) {
    const { inputs, actions, atoms, hiddenSizes, dueling, noisy, sigma0 } = shape;
    if (hiddenSizes.length === 0) throw new RangeError("RainbowNetwork needs at least one hidden layer");
    const torsoSizes = [inputs, ...hiddenSizes.slice(0, -1)];
    this.torso = torsoSizes.slice(1).map((outputs, i) => new Dense(torsoSizes[i]!, outputs, random));
    const streamInputs = torsoSizes.at(-1)!;
    const streamHidden = hiddenSizes.at(-1)!;
    const layer = (from: number, to: number): Layer =>
      noisy ? new NoisyDense(from, to, random, { sigma0 }) : new Dense(from, to, random);
    const stream = (outputs: number): Stack => [
      layer(streamInputs, streamHidden),
      layer(streamHidden, outputs),
    ];
    this.streams = dueling
      ? { value: stream(atoms), advantage: stream(actions * atoms) }
      : { action: stream(actions * atoms) };
  }

  /** Logits of shape [batch, actions, atoms]; `noise: false` runs noisy layers on their means. */
  logits(input: tf.Tensor2D, options: { noise: boolean }): tf.Tensor3D {
    const { actions, atoms } = this.shape;
    return tf.tidy(() => {
      const features = runStack(this.torso, input, options, true);
      const batch = input.shape[0];
      if (!this.streams.value || !this.streams.advantage) {
        return tf.reshape(runStack(this.streams.action!, features, options), [batch, actions, atoms]);
      }
      const value = tf.reshape(runStack(this.streams.value, features, options), [batch, 1, atoms]);
      const advantage = tf.reshape(runStack(this.streams.advantage, features, options), [
        batch,
        actions,
        atoms,
      ]);
      return tf.add(value, tf.sub(advantage, tf.mean(advantage, 1, true)));
    });
  }

  /** Draws new noise for every noisy layer. */
  resetNoise(random: Random): void {
    for (const layer of this.layers()) layer.resetNoise(random);
  }

  /** The learnt parameters by checkpoint name (`torso0/weight`, `advantage1/bias_sigma` …). */
  parameters(): Record<string, tf.Variable> {
    const named: Record<string, tf.Variable> = {};
    const add = (prefix: string, stack: Stack) =>
      stack.forEach((layer, index) => {
        for (const [key, variable] of Object.entries(layer.parameters()))
          named[`${prefix}${index}/${key}`] = variable;
      });
    add("torso", this.torso);
    for (const [name, stack] of Object.entries(this.streams)) add(name, stack);
    return named;
  }

  variables(): tf.Variable[] {
    return Object.values(this.parameters());
  }

  /** Moves each parameter towards `source`'s: θ ← τ·θ_source + (1 − τ)·θ (τ = 1 copies). */
  updateFrom(source: RainbowNetwork, tau = 1): void {
    const theirs = source.parameters();
    tf.tidy(() => {
      for (const [name, variable] of Object.entries(this.parameters())) {
        const other = theirs[name]!;
        variable.assign(tau === 1 ? other : tf.add(tf.mul(other, tau), tf.mul(variable, 1 - tau)));
      }
    });
  }

  toTensors(prefix: string): Checkpoint["tensors"] {
    return Object.fromEntries(
      Object.entries(this.parameters()).map(([name, variable]) => [
        `${prefix}/${name}`,
        { shape: [...variable.shape], values: Array.from(variable.dataSync()) },
      ]),
    );
  }

  /** Loads `toTensors(prefix)` of a network of the same shape; throws naming a missing or misshapen tensor. */
  loadTensors(tensors: Checkpoint["tensors"], prefix: string): void {
    const parameters = Object.entries(this.parameters());
    for (const [name, variable] of parameters) {
      const saved = tensors[`${prefix}/${name}`];
      if (!saved) throw new Error(`Checkpoint has no tensor "${prefix}/${name}"`);
      if (saved.shape.join("x") !== variable.shape.join("x")) {
        throw new Error(
          `Checkpoint tensor "${prefix}/${name}" has shape [${saved.shape}], this network needs [${variable.shape}]`,
        );
      }
    }
    tf.tidy(() => {
      for (const [name, variable] of parameters) {
        const saved = tensors[`${prefix}/${name}`]!;
        variable.assign(tf.tensor(saved.values, saved.shape));
      }
    });
  }

  dispose(): void {
    for (const layer of this.layers()) layer.dispose();
  }

  private layers(): Layer[] {
    return [...this.torso, ...Object.values(this.streams).flat()];
  }
}

/** Runs the layers in order, ReLU between them (and after the last when `activateLast`). */
function runStack(
  stack: Stack,
  input: tf.Tensor2D,
  options: { noise: boolean },
  activateLast = false,
): tf.Tensor2D {
  let x = input;
  stack.forEach((layer, index) => {
    x = layer.apply(x, options);
    if (activateLast || index < stack.length - 1) x = tf.relu(x);
  });
  return x;
}
