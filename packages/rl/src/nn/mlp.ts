// A multilayer perceptron over tf.Variables, initialised from a seeded Random so a seed
// reproduces its weights on any backend.
import type { Checkpoint } from "../core/algorithm.js";
import type { Random } from "../core/random.js";
import { tf } from "./backend.js";

export type Activation = "relu" | "tanh";

export interface MlpOptions {
  activation?: Activation;
  /** Multiplies the last layer's initial weights (e.g. 0.01 for a policy head). */
  outputScale?: number;
}

interface Dense {
  weight: tf.Variable;
  bias: tf.Variable;
}

/** A fully connected network: sizes[0] inputs, sizes.at(-1) outputs, the activation between layers. */
export class Mlp {
  private readonly layers: Dense[];
  private readonly activation: Activation;

  constructor(
    readonly name: string,
    readonly sizes: readonly number[],
    random: Random,
    options: MlpOptions = {},
  ) {
    if (sizes.length < 2) throw new RangeError(`Mlp "${name}" needs at least input and output sizes`);
    this.activation = options.activation ?? "relu";
    this.layers = sizes.slice(1).map((outputs, index) => {
      const inputs = sizes[index]!;
      const scale = index === sizes.length - 2 ? (options.outputScale ?? 1) : 1;
      return {
        weight: variableFrom(
          uniformTensor([inputs, outputs], 1 / Math.sqrt(inputs), random, scale),
          `${name}/w${index}`,
        ),
        bias: variableFrom(
          uniformTensor([outputs], 1 / Math.sqrt(inputs), random, scale),
          `${name}/b${index}`,
        ),
      };
    });
  }

  /** The network's output for a batch of inputs, shape [batch, outputs]. */
  apply(input: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let x = input;
      this.layers.forEach((layer, index) => {
        x = tf.add(tf.matMul(x, layer.weight), layer.bias);
        if (index < this.layers.length - 1) x = this.activation === "relu" ? tf.relu(x) : tf.tanh(x);
      });
      return x;
    });
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((layer) => [layer.weight, layer.bias]);
  }

  /** Moves each weight towards `source`'s: w ← τ·source + (1−τ)·w (τ = 1 copies). */
  updateFrom(source: Mlp, tau = 1): void {
    const theirs = source.variables();
    tf.tidy(() => {
      this.variables().forEach((variable, index) => {
        const other = theirs[index]!;
        variable.assign(tau === 1 ? other : tf.add(tf.mul(other, tau), tf.mul(variable, 1 - tau)));
      });
    });
  }

  toTensors(): Checkpoint["tensors"] {
    return Object.fromEntries(
      this.variables().map((variable) => [
        variable.name,
        { shape: [...variable.shape], values: Array.from(variable.dataSync()) },
      ]),
    );
  }

  /** Loads weights saved by `toTensors` of a network with the same name and sizes. */
  loadTensors(tensors: Checkpoint["tensors"]): void {
    for (const variable of this.variables()) {
      const saved = tensors[variable.name];
      if (!saved) throw new Error(`Checkpoint has no tensor "${variable.name}" for network "${this.name}"`);
      if (saved.shape.join("x") !== variable.shape.join("x")) {
        throw new Error(
          `Checkpoint tensor "${variable.name}" has shape [${saved.shape}], network "${this.name}" needs [${variable.shape}]`,
        );
      }
      tf.tidy(() => variable.assign(tf.tensor(saved.values, saved.shape)));
    }
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

/** A trainable variable holding `initial`'s values; `initial` is freed. */
function variableFrom(initial: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

function uniformTensor(shape: number[], bound: number, random: Random, scale: number): tf.Tensor {
  const size = shape.reduce((product, n) => product * n, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random.uniform(-bound, bound) * scale;
  return tf.tensor(values, shape);
}
