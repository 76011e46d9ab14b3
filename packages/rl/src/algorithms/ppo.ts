// Proximal Policy Optimization (Schulman et al. 2017), the clipped-surrogate variant as
// Stable-Baselines3 implements it: a rollout of nSteps with GAE(λ), then nEpochs over shuffled
// minibatches of the clipped surrogate, an (optionally clipped) value loss and an entropy bonus.
import type { TrainStats } from "../core/algorithm.js";
import type { Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import {
  normalize,
  OnPolicyAlgorithm,
  type OnPolicyOptions,
  positiveInteger,
  type RolloutTensors,
  requireTotalSteps,
} from "./on-policy.js";

export interface PpoOptions extends OnPolicyOptions {
  /** Minibatch size (default 64); the rollout of nSteps is split into ⌈nSteps / batchSize⌉ minibatches. */
  batchSize?: number;
  /** Passes over the rollout per update (default 10). */
  nEpochs?: number;
  /** ε of the clipped surrogate: the ratio π/π_old is clipped to [1 − ε, 1 + ε] (default 0.2). */
  clipRange?: number;
  /** "linear": ε falls from clipRange to 0 over totalSteps environment steps. */
  clipRangeSchedule?: "constant" | "linear";
  /** Clip each value prediction to within this of the rollout's (PPO2's value clipping); 0 for none (default). */
  clipRangeValue?: number;
}

/**
 * PPO-clip over Discrete (categorical) or Box (diagonal Gaussian) actions.
 *
 * @example
 * const ppo = new Ppo(env.observationSpace, env.actionSpace, { seed: 1, nSteps: 256, batchSize: 256 });
 * train(ppo, env, { steps: 100_000, seed: 1 });
 */
export class Ppo extends OnPolicyAlgorithm {
  readonly name = "ppo";
  private readonly batchSize: number;
  private readonly nEpochs: number;
  private readonly clipRange: number;
  private readonly clipRangeValue: number;
  private readonly annealClipRange: boolean;

  constructor(observationSpace: Space, actionSpace: Space, options: PpoOptions) {
    const batchSize = positiveInteger("batchSize", options.batchSize ?? 64);
    const nEpochs = positiveInteger("nEpochs", options.nEpochs ?? 10);
    const clipRange = options.clipRange ?? 0.2;
    if (!(clipRange > 0)) throw new RangeError(`clipRange must be > 0, got ${clipRange}`);
    const annealClipRange = (options.clipRangeSchedule ?? "constant") === "linear";
    if (annealClipRange) requireTotalSteps("clipRangeSchedule", options.totalSteps);
    super(
      "ppo",
      observationSpace,
      actionSpace,
      options,
      { nSteps: 2048, gamma: 0.99, gaeLambda: 0.95, learningRate: 3e-4, normalizeAdvantage: true },
      (learningRate) => tf.train.adam(learningRate, 0.9, 0.999, 1e-5),
    );
    this.batchSize = batchSize;
    this.nEpochs = nEpochs;
    this.clipRange = clipRange;
    this.clipRangeValue = options.clipRangeValue ?? 0;
    this.annealClipRange = annealClipRange;
    Object.assign(this.hyperparameters, {
      batch_size: batchSize,
      n_epochs: nEpochs,
      clip_range: clipRange,
      clip_range_schedule: annealClipRange ? "linear" : "constant",
      clip_range_vf: this.clipRangeValue,
      optimizer: "adam",
    });
  }

  protected update(rollout: RolloutTensors): TrainStats {
    const clip = this.annealClipRange ? this.clipRange * this.progressRemaining() : this.clipRange;
    const totals = {
      policy_loss: 0,
      value_loss: 0,
      entropy: 0,
      approx_kl: 0,
      clip_fraction: 0,
      grad_norm: 0,
    };
    let minibatches = 0;
    const order = Array.from({ length: rollout.size }, (_, i) => i);
    for (let epoch = 0; epoch < this.nEpochs; epoch++) {
      this.random.shuffle(order);
      for (let start = 0; start < rollout.size; start += this.batchSize) {
        const figures = tf.tidy(() => {
          const indices = tf.tensor1d(order.slice(start, start + this.batchSize), "int32");
          const pick = <T extends tf.Tensor>(tensor: T) => tf.gather(tensor, indices) as T;
          const observations = pick(rollout.observations);
          const actions = pick(rollout.actions);
          const oldLogProbs = pick(rollout.logProbs);
          const oldValues = pick(rollout.values);
          const returns = pick(rollout.returns);
          const advantages = this.normalizeAdvantage
            ? normalize(pick(rollout.advantages))
            : pick(rollout.advantages);
          let parts: tf.Tensor[] = [];
          const gradNorm = this.gradientStep(() => {
            const { parameters, values } = this.policy.forward(observations);
            const logRatio = tf.sub(this.policy.distribution.logProb(parameters, actions), oldLogProbs);
            const ratio = tf.exp(logRatio);
            const surrogate = tf.minimum(
              tf.mul(advantages, ratio),
              tf.mul(advantages, tf.clipByValue(ratio, 1 - clip, 1 + clip)),
            );
            const policyLoss = tf.neg(tf.mean(surrogate));
            const valueError = tf.square(tf.sub(returns, values));
            const valueLoss =
              this.clipRangeValue > 0
                ? tf.mean(
                    tf.maximum(
                      valueError,
                      tf.square(
                        tf.sub(
                          returns,
                          tf.add(
                            oldValues,
                            tf.clipByValue(
                              tf.sub(values, oldValues),
                              -this.clipRangeValue,
                              this.clipRangeValue,
                            ),
                          ),
                        ),
                      ),
                    ),
                  )
                : tf.mean(valueError);
            const entropy = tf.mean(this.policy.distribution.entropy(parameters));
            const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
            const clipped = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clip), "float32"));
            parts = [policyLoss, valueLoss, entropy, approxKl, clipped].map((part) => tf.keep(part));
            return this.loss(policyLoss, valueLoss, entropy);
          });
          const figures = tf.stack([...parts, gradNorm]);
          for (const part of parts) part.dispose();
          return figures;
        });
        const [policyLoss, valueLoss, entropy, approxKl, clipFraction, gradNorm] = figures.dataSync();
        figures.dispose();
        totals.policy_loss += policyLoss!;
        totals.value_loss += valueLoss!;
        totals.entropy += entropy!;
        totals.approx_kl += approxKl!;
        totals.clip_fraction += clipFraction!;
        totals.grad_norm += gradNorm!;
        minibatches += 1;
      }
    }
    const stats: TrainStats = { clip_range: clip, minibatches };
    for (const [key, total] of Object.entries(totals)) stats[key] = total / minibatches;
    return stats;
  }
}
