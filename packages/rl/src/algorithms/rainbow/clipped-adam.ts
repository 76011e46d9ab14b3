// Adam (Kingma & Ba 2015) with global-norm gradient clipping, over all parameters as one flat
// vector. The update is tf.train.adam's; doing it once on the concatenation takes a fixed
// handful of kernels instead of ~14 per variable, and kernel dispatch is what small networks
// spend their time on.
import { tf } from "../../nn/backend.js";

export interface ClippedAdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** Added to √v̂ in the denominator. */
  epsilon: number;
  /** Gradients are scaled down to this global L2 norm. */
  maxGradNorm: number;
}

/** Adam over a fixed list of variables, clipping each step's gradients to a global norm. */
export class ClippedAdam {
  private readonly firstMoment: tf.Variable;
  private readonly secondMoment: tf.Variable;
  private readonly sizes: number[];
  private readonly beta1: number;
  private readonly beta2: number;
  private steps = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: ClippedAdamOptions,
  ) {
    this.sizes = variables.map((variable) => variable.size);
    const total = this.sizes.reduce((sum, size) => sum + size, 0);
    this.firstMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.secondMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
  }

  /** Minimises `loss`: one clipped Adam step. Returns the loss and the gradients' norm before clipping. */
  minimize(loss: () => tf.Scalar): { loss: number; gradNorm: number } {
    this.steps += 1;
    const { learningRate, epsilon, maxGradNorm } = this.options;
    const firstCorrection = 1 - this.beta1 ** this.steps;
    const secondCorrection = 1 - this.beta2 ** this.steps;
    const figures = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, [...this.variables]);
      const gradient = tf.concat(this.variables.map((variable) => tf.reshape(grads[variable.name]!, [-1])));
      const norm = tf.sqrt(tf.sum(tf.square(gradient)));
      const clipped = tf.mul(gradient, tf.minimum(1, tf.div(maxGradNorm, tf.add(norm, 1e-6))));
      const first = tf.add(tf.mul(this.firstMoment, this.beta1), tf.mul(clipped, 1 - this.beta1));
      const second = tf.add(
        tf.mul(this.secondMoment, this.beta2),
        tf.mul(tf.square(clipped), 1 - this.beta2),
      );
      this.firstMoment.assign(first);
      this.secondMoment.assign(second);
      // lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
      const step = tf.div(
        tf.mul(first, learningRate / firstCorrection),
        tf.add(tf.mul(tf.sqrt(second), 1 / Math.sqrt(secondCorrection)), epsilon),
      );
      const pieces = tf.split(step, this.sizes);
      this.variables.forEach((variable, index) => {
        variable.assign(tf.sub(variable, tf.reshape(pieces[index]!, variable.shape)));
      });
      return tf.stack([value, norm]);
    });
    const [lossValue, gradNorm] = figures.dataSync();
    figures.dispose();
    return { loss: lossValue!, gradNorm: gradNorm! };
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
  }
}
