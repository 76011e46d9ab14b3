// A small GPT-style causal transformer in TensorFlow.js ops: linear and embedding layers, layer
// norm, masked multi-head self-attention, MLP blocks with pre-norm residuals. Weights come from
// a seeded Random, and each has a stable key (`blocks.0.attention.query.weight`) for checkpoints.
import type { Checkpoint } from "../core/algorithm.js";
import type { Random } from "../core/random.js";
import { tf } from "./backend.js";

/** A trainable tensor with the key it is saved under (tfjs variable names must be unique per process). */
export interface Parameter {
  readonly key: string;
  readonly variable: tf.Variable;
}

/** The standard deviation of GPT-2's initial weights. */
const INIT_STD = 0.02;

function normalVariable(shape: number[], random: Random, std = INIT_STD): tf.Variable {
  const values = new Float32Array(shape.reduce((product, n) => product * n, 1));
  for (let i = 0; i < values.length; i++) values[i] = random.normal(0, std);
  return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
}

const filled = (shape: number[], value: number) => tf.tidy(() => tf.variable(tf.fill(shape, value)));

/** y = x·W + b over the last axis of x (any rank ≥ 2). */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly key: string,
    readonly inputs: number,
    readonly outputs: number,
    random: Random,
  ) {
    this.weight = normalVariable([inputs, outputs], random);
    this.bias = filled([outputs], 0);
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = x.reshape([-1, this.inputs]);
      const y = tf.add(tf.matMul(flat, this.weight), this.bias);
      return y.reshape([...x.shape.slice(0, -1), this.outputs]);
    });
  }

  parameters(): Parameter[] {
    return [
      { key: `${this.key}.weight`, variable: this.weight },
      { key: `${this.key}.bias`, variable: this.bias },
    ];
  }
}

/**
 * A learned table of `count` vectors, looked up by integer index (tokens, timesteps). Its
 * gradient is a scatter-add, written out because the wasm backend has no kernel for gather's.
 */
export class Embedding {
  readonly table: tf.Variable;

  constructor(
    readonly key: string,
    readonly count: number,
    readonly width: number,
    random: Random,
  ) {
    this.table = normalVariable([count, width], random);
  }

  /** [...indices.shape, width]; indices must be int32 in [0, count). */
  apply(indices: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = indices.reshape([-1]).toInt() as tf.Tensor1D;
      const lookup = tf.customGrad((table, save) => {
        (save as tf.GradSaveFunc)([flat]);
        return {
          value: tf.gather(table as tf.Tensor2D, flat),
          gradFunc: (dy, saved) => [
            tf.scatterND((saved[0] as tf.Tensor1D).expandDims(1), dy as tf.Tensor2D, [
              this.count,
              this.width,
            ]),
          ],
        };
      });
      return (lookup(this.table) as tf.Tensor).reshape([...indices.shape, this.width]);
    });
  }

  parameters(): Parameter[] {
    return [{ key: `${this.key}.table`, variable: this.table }];
  }
}

/** Layer normalisation over the last axis, with a learned gain and shift. */
export class LayerNorm {
  readonly gain: tf.Variable;
  readonly shift: tf.Variable;

  constructor(
    readonly key: string,
    width: number,
    private readonly epsilon = 1e-5,
  ) {
    this.gain = filled([width], 1);
    this.shift = filled([width], 0);
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.gain), this.shift);
    });
  }

  parameters(): Parameter[] {
    return [
      { key: `${this.key}.gain`, variable: this.gain },
      { key: `${this.key}.shift`, variable: this.shift },
    ];
  }
}

/** [T, T] additive mask: 0 where query i may attend to key j (j ≤ i), a large negative otherwise. */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = -1e9;
  return tf.tensor2d(values, [length, length]);
}

/** Multi-head self-attention in which each position sees only itself and earlier positions. */
export class CausalSelfAttention {
  readonly query: Linear;
  readonly keyProjection: Linear;
  readonly value: Linear;
  readonly output: Linear;
  private readonly headWidth: number;

  constructor(
    readonly key: string,
    readonly width: number,
    readonly heads: number,
    random: Random,
  ) {
    if (!Number.isInteger(width / heads)) {
      throw new RangeError(`Attention width ${width} must be a multiple of its ${heads} heads`);
    }
    this.headWidth = width / heads;
    this.query = new Linear(`${key}.query`, width, width, random);
    this.keyProjection = new Linear(`${key}.key`, width, width, random);
    this.value = new Linear(`${key}.value`, width, width, random);
    this.output = new Linear(`${key}.output`, width, width, random);
  }

  /** x: [batch, T, width] → [batch, T, width]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length] = x.shape;
      const splitHeads = (projected: tf.Tensor) =>
        projected
          .reshape([batch, length, this.heads, this.headWidth])
          .transpose([0, 2, 1, 3])
          .reshape([batch * this.heads, length, this.headWidth]) as tf.Tensor3D;
      const q = splitHeads(this.query.apply(x));
      const k = splitHeads(this.keyProjection.apply(x));
      const v = splitHeads(this.value.apply(x));
      const scores = tf.add(
        tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(this.headWidth)),
        causalMask(length),
      );
      const attended = tf
        .matMul(tf.softmax(scores), v)
        .reshape([batch, this.heads, length, this.headWidth])
        .transpose([0, 2, 1, 3])
        .reshape([batch, length, this.width]);
      return this.output.apply(attended) as tf.Tensor3D;
    });
  }

  parameters(): Parameter[] {
    return [this.query, this.keyProjection, this.value, this.output].flatMap((layer) => layer.parameters());
  }
}

/** x + attention(norm(x)), then x + mlp(norm(x)): GPT-2's pre-norm block (ReLU in the MLP). */
export class TransformerBlock {
  readonly attentionNorm: LayerNorm;
  readonly attention: CausalSelfAttention;
  readonly mlpNorm: LayerNorm;
  readonly hidden: Linear;
  readonly projection: Linear;

  constructor(key: string, width: number, heads: number, mlpWidth: number, random: Random) {
    this.attentionNorm = new LayerNorm(`${key}.attention_norm`, width);
    this.attention = new CausalSelfAttention(`${key}.attention`, width, heads, random);
    this.mlpNorm = new LayerNorm(`${key}.mlp_norm`, width);
    this.hidden = new Linear(`${key}.mlp_hidden`, width, mlpWidth, random);
    this.projection = new Linear(`${key}.mlp_projection`, mlpWidth, width, random);
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const afterAttention = tf.add(x, this.attention.apply(this.attentionNorm.apply(x) as tf.Tensor3D));
      const mlp = this.projection.apply(tf.relu(this.hidden.apply(this.mlpNorm.apply(afterAttention))));
      return tf.add(afterAttention, mlp) as tf.Tensor3D;
    });
  }

  parameters(): Parameter[] {
    return [this.attentionNorm, this.attention, this.mlpNorm, this.hidden, this.projection].flatMap((part) =>
      part.parameters(),
    );
  }
}

export interface CausalTransformerOptions {
  /** Width of every token vector. */
  width: number;
  heads: number;
  layers: number;
  /** Hidden width of each block's MLP (default 4 × width). */
  mlpWidth?: number;
}

/**
 * A stack of causal blocks and a final layer norm over already-embedded tokens. It adds no
 * position information of its own: the caller embeds positions (or timesteps) into the tokens.
 *
 * @example
 * const transformer = new CausalTransformer("gpt", { width: 64, heads: 2, layers: 1 }, new Random(1));
 * const hidden = transformer.apply(tokens); // [batch, T, 64]; position i depends only on tokens 0…i
 */
export class CausalTransformer {
  readonly blocks: TransformerBlock[];
  readonly finalNorm: LayerNorm;

  constructor(
    readonly key: string,
    readonly options: CausalTransformerOptions,
    random: Random,
  ) {
    const { width, heads, layers } = options;
    if (!Number.isInteger(layers) || layers < 1)
      throw new RangeError(`A transformer needs ≥ 1 layer, got ${layers}`);
    this.blocks = Array.from(
      { length: layers },
      (_, index) =>
        new TransformerBlock(`${key}.blocks.${index}`, width, heads, options.mlpWidth ?? 4 * width, random),
    );
    this.finalNorm = new LayerNorm(`${key}.final_norm`, width);
  }

  /** tokens: [batch, T, width] → hidden states [batch, T, width]. */
  apply(tokens: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let x = tokens;
      for (const block of this.blocks) x = block.apply(x);
      return this.finalNorm.apply(x) as tf.Tensor3D;
    });
  }

  parameters(): Parameter[] {
    return [...this.blocks.flatMap((block) => block.parameters()), ...this.finalNorm.parameters()];
  }
}

/** Parameters as checkpoint tensors, keyed by their stable keys. */
export function parametersToTensors(parameters: readonly Parameter[]): Checkpoint["tensors"] {
  return Object.fromEntries(
    parameters.map(({ key, variable }) => [
      key,
      { shape: [...variable.shape], values: Array.from(variable.dataSync()) },
    ]),
  );
}

/** Assigns every parameter from `tensors`; throws, before changing anything, on a missing key or a shape mismatch. */
export function loadParameters(
  parameters: readonly Parameter[],
  tensors: Checkpoint["tensors"],
  owner: string,
): void {
  for (const { key, variable } of parameters) {
    const saved = tensors[key];
    if (!saved) throw new Error(`Checkpoint has no tensor "${key}" for ${owner}`);
    if (saved.shape.join("x") !== variable.shape.join("x")) {
      throw new Error(
        `Checkpoint tensor "${key}" has shape [${saved.shape}], ${owner} needs [${variable.shape}]`,
      );
    }
    if (saved.values.length !== variable.size) {
      throw new Error(
        `Checkpoint tensor "${key}" has ${saved.values.length} values for shape [${saved.shape}]`,
      );
    }
  }
  tf.tidy(() => {
    for (const { key, variable } of parameters) {
      const saved = tensors[key]!;
      variable.assign(tf.tensor(saved.values, saved.shape));
    }
  });
}
