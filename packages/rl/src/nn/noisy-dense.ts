// A factorised Gaussian noisy linear layer (Fortunato et al. 2018, "Noisy Networks for
// Exploration"): y = x(μ_w + σ_w ⊙ ε_w) + μ_b + σ_b ⊙ ε_b, with ε_w = f(ε_in) f(ε_out)ᵀ,
// ε_b = f(ε_out) and f(x) = sgn(x)·√|x|. The network learns σ, and with it how much to explore.
import type { Random } from "../core/random.js";
import { tf } from "./backend.js";
import { matMulFastGrad as matMul } from "./fast-mlp.js";

export interface NoisyDenseOptions {
  /** σ's initial scale: σ = σ0 / √inputs (the paper's 0.5 by default). */
  sigma0?: number;
}

/** A linear layer whose weights carry learnt, resampled Gaussian noise. */
export class NoisyDense {
  readonly weightMean: tf.Variable<tf.Rank.R2>;
  readonly weightSigma: tf.Variable<tf.Rank.R2>;
  readonly biasMean: tf.Variable<tf.Rank.R1>;
  readonly biasSigma: tf.Variable<tf.Rank.R1>;
  private readonly weightNoise: tf.Variable<tf.Rank.R2>;
  private readonly biasNoise: tf.Variable<tf.Rank.R1>;

  /** μ ~ U(−1/√inputs, 1/√inputs), σ = σ0/√inputs, noise drawn from `random`. */
  constructor(
    readonly inputs: number,
    readonly outputs: number,
    random: Random,
    options: NoisyDenseOptions = {},
  ) {
    if (!Number.isInteger(inputs) || inputs < 1 || !Number.isInteger(outputs) || outputs < 1) {
      throw new RangeError(`NoisyDense needs positive integer sizes, got ${inputs} → ${outputs}`);
    }
    const sigma0 = options.sigma0 ?? 0.5;
    if (!(sigma0 >= 0)) throw new RangeError(`NoisyDense needs sigma0 >= 0, got ${sigma0}`);
    const bound = 1 / Math.sqrt(inputs);
    const uniform = (size: number) =>
      Float32Array.from({ length: size }, () => random.uniform(-bound, bound));
    this.weightMean = variable(() => tf.tensor2d(uniform(inputs * outputs), [inputs, outputs]));
    this.weightSigma = variable(() => tf.fill([inputs, outputs], sigma0 * bound) as tf.Tensor2D);
    this.biasMean = variable(() => tf.tensor1d(uniform(outputs)));
    this.biasSigma = variable(() => tf.fill([outputs], sigma0 * bound) as tf.Tensor1D);
    this.weightNoise = variable(() => tf.zeros([inputs, outputs]) as tf.Tensor2D, false);
    this.biasNoise = variable(() => tf.zeros([outputs]) as tf.Tensor1D, false);
    this.resetNoise(random);
  }

  /** Draws new factorised noise ε_in, ε_out from `random`. */
  resetNoise(random: Random): void {
    const scaled = (size: number) =>
      Float32Array.from({ length: size }, () => {
        const x = random.normal();
        return Math.sign(x) * Math.sqrt(Math.abs(x));
      });
    const inputNoise = scaled(this.inputs);
    const outputNoise = scaled(this.outputs);
    tf.tidy(() => {
      const output = tf.tensor1d(outputNoise);
      this.weightNoise.assign(tf.outerProduct(tf.tensor1d(inputNoise), output));
      this.biasNoise.assign(output);
    });
  }

  /** x·W + b for a [batch, inputs] input; `noise: false` uses the mean weights alone (evaluation). */
  apply(input: tf.Tensor2D, options: { noise: boolean }): tf.Tensor2D {
    return tf.tidy(() => {
      if (!options.noise) return tf.add(matMul(input, this.weightMean), this.biasMean);
      const weight = tf.add(this.weightMean, tf.mul(this.weightSigma, this.weightNoise)) as tf.Tensor2D;
      const bias = tf.add(this.biasMean, tf.mul(this.biasSigma, this.biasNoise));
      return tf.add(matMul(input, weight), bias);
    });
  }

  /** The learnt parameters by name (the noise is not one: it is redrawn, never saved). */
  parameters(): Record<string, tf.Variable> {
    return {
      weight_mean: this.weightMean,
      weight_sigma: this.weightSigma,
      bias_mean: this.biasMean,
      bias_sigma: this.biasSigma,
    };
  }

  dispose(): void {
    for (const variable of [...Object.values(this.parameters()), this.weightNoise, this.biasNoise]) {
      variable.dispose();
    }
  }
}

/** A variable holding `initial`, which is freed once copied. */
const variable = <R extends tf.Rank>(initial: () => tf.Tensor<R>, trainable = true): tf.Variable<R> =>
  tf.tidy(() => tf.variable(initial(), trainable));
