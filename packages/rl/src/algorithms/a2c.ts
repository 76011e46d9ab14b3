// Advantage Actor-Critic (Mnih et al. 2016, the synchronous variant as Stable-Baselines3
// implements it): after each rollout of nSteps, one gradient step on the policy gradient
// −mean(A·log π(a|s)), the value loss and the entropy bonus. With gaeLambda 1 (the default)
// the advantages are n-step returns bootstrapped from the value at the rollout's end.
import type { TrainStats } from "../core/algorithm.js";
import type { Space } from "../core/spaces.js";
import { tf } from "../nn/backend.js";
import { normalize, OnPolicyAlgorithm, type OnPolicyOptions, type RolloutTensors } from "./on-policy.js";

export interface A2cOptions extends OnPolicyOptions {
  /** RMSprop (default, as SB3: decay 0.99, ε 1e-5) or Adam. */
  optimizer?: "rmsprop" | "adam";
  /** RMSprop's decay of the mean square (PyTorch's alpha, default 0.99). */
  rmspropDecay?: number;
}

/**
 * A2C over Discrete (categorical) or Box (diagonal Gaussian) actions.
 *
 * @example
 * const a2c = new A2c(env.observationSpace, env.actionSpace, { seed: 1, nSteps: 8 });
 * train(a2c, env, { steps: 500_000, seed: 1 });
 */
export class A2c extends OnPolicyAlgorithm {
  readonly name = "a2c";

  constructor(observationSpace: Space, actionSpace: Space, options: A2cOptions) {
    const optimizer = options.optimizer ?? "rmsprop";
    const decay = options.rmspropDecay ?? 0.99;
    if (optimizer !== "rmsprop" && optimizer !== "adam") {
      throw new Error(`A2C's optimizer is "rmsprop" or "adam", got "${optimizer}"`);
    }
    super(
      "a2c",
      observationSpace,
      actionSpace,
      options,
      { nSteps: 5, gamma: 0.99, gaeLambda: 1, learningRate: 7e-4, normalizeAdvantage: false },
      // tfjs's RMSprop adds ε inside the square root: 1e-10 there is about PyTorch's 1e-5 outside it.
      (learningRate) =>
        optimizer === "rmsprop"
          ? tf.train.rmsprop(learningRate, decay, 0, 1e-10)
          : tf.train.adam(learningRate, 0.9, 0.999, 1e-5),
    );
    Object.assign(this.hyperparameters, {
      optimizer,
      ...(optimizer === "rmsprop" ? { rmsprop_decay: decay } : {}),
    });
  }

  protected update(rollout: RolloutTensors): TrainStats {
    const figures = tf.tidy(() => {
      const advantages = this.normalizeAdvantage ? normalize(rollout.advantages) : rollout.advantages;
      let parts: tf.Tensor[] = [];
      const gradNorm = this.gradientStep(() => {
        const { parameters, values } = this.policy.forward(rollout.observations);
        const logProbs = this.policy.distribution.logProb(parameters, rollout.actions);
        const policyLoss = tf.neg(tf.mean(tf.mul(advantages, logProbs)));
        const valueLoss = tf.mean(tf.square(tf.sub(rollout.returns, values)));
        const entropy = tf.mean(this.policy.distribution.entropy(parameters));
        parts = [policyLoss, valueLoss, entropy].map((part) => tf.keep(part));
        return this.loss(policyLoss, valueLoss, entropy);
      });
      const stacked = tf.stack([...parts, gradNorm]);
      for (const part of parts) part.dispose();
      return stacked;
    });
    const [policyLoss, valueLoss, entropy, gradNorm] = figures.dataSync();
    figures.dispose();
    return { policy_loss: policyLoss!, value_loss: valueLoss!, entropy: entropy!, grad_norm: gradNorm! };
  }
}
