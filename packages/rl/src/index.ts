// @cca/rl: reinforcement learning on TensorFlow.js, usable on its own.

export { A2c, type A2cOptions } from "./algorithms/a2c.js";
export { BehaviourCloning, type BehaviourCloningOptions } from "./algorithms/behaviour-cloning.js";
export {
  DecisionTransformer,
  type DecisionTransformerOptions,
  evaluateWithRewards,
} from "./algorithms/decision-transformer.js";
export { Dqn, type DqnOptions } from "./algorithms/dqn.js";
export {
  Mcts,
  type MctsOptions,
  type MctsPrior,
  type RolloutPolicy,
  type SearchResult,
  TicTacToeMcts,
  type TicTacToeMctsOptions,
  type TicTacToePrior,
} from "./algorithms/mcts.js";
export {
  ActorCritic,
  type ActorCriticOptions,
  OnPolicyAlgorithm,
  type OnPolicyOptions,
} from "./algorithms/on-policy.js";
export { Ppo, type PpoOptions } from "./algorithms/ppo.js";
export { QLearning, type QLearningOptions } from "./algorithms/q-learning.js";
export { Rainbow, type RainbowHyperparameters, type RainbowOptions } from "./algorithms/rainbow.js";
export { computeGae, type GaeInput, RolloutBuffer, type RolloutStep } from "./algorithms/rollout.js";
export { Sac, type SacOptions } from "./algorithms/sac.js";
export { SacDiscrete, type SacDiscreteOptions } from "./algorithms/sac-discrete.js";
export { Td3, type Td3Options } from "./algorithms/td3.js";
export { NStepAccumulator, type NStepTransition } from "./buffers/n-step.js";
export {
  PrioritizedReplayBuffer,
  type PrioritizedReplayOptions,
} from "./buffers/prioritized-replay-buffer.js";
export { type ReplayBatch, ReplayBuffer } from "./buffers/replay-buffer.js";
export { SumTree } from "./buffers/sum-tree.js";
export type { Checkpoint, Hyperparameter, RLAlgorithm, TrainStats, Transition } from "./core/algorithm.js";
export { CheckpointSchema } from "./core/algorithm.js";
export type { Action, Env, Observation, ResetResult, StepResult } from "./core/env.js";
export { Random } from "./core/random.js";
export { constant, exponential, linear, type Schedule } from "./core/schedules.js";
export {
  type BoxSpace,
  box,
  contains,
  type DiscreteSpace,
  discrete,
  flatSize,
  type Space,
  sample,
} from "./core/spaces.js";
export { type Evaluation, evaluate, mean, type TrainOptions, type TrainResult, train } from "./core/train.js";
export { CartPole, createCartPole } from "./envs/cartpole.js";
export { createFrozenLake, FROZEN_LAKE_4X4, FrozenLake } from "./envs/frozen-lake.js";
export { createPendulum, Pendulum } from "./envs/pendulum.js";
export { createEnv, ENV_IDS, envId } from "./envs/registry.js";
export {
  DEFAULT_REWARD_WEIGHTS,
  type RewardWeights,
  RoutingEnv,
  type RoutingOutcome,
  routingReward,
  SIMULATED_ROLES,
} from "./envs/routing.js";
export {
  createTicTacToe,
  randomOpponent,
  TicTacToeEnv,
  type TicTacToeEnvOptions,
  type TicTacToeOpponent,
  type TicTacToeStepResult,
} from "./envs/tic-tac-toe-env.js";
export { withTimeLimit } from "./envs/time-limit.js";
export {
  type Game,
  type GamePolicy,
  opponent,
  outcomeFor,
  type Player,
  playGame,
  randomPolicy,
} from "./games/game.js";
export { Minimax, type MinimaxOptions, minimaxPolicy } from "./games/minimax.js";
export {
  type Cell,
  formatTicTacToe,
  observationFor,
  parseTicTacToe,
  stateFromObservation,
  type TicTacToeState,
  ticTacToe,
} from "./games/tic-tac-toe.js";
export { type BackendName, initBackend, tf } from "./nn/backend.js";
export { observationBatch } from "./nn/batch.js";
export {
  type BellmanTarget,
  type CategoricalSupport,
  createSupport,
  projectDistribution,
} from "./nn/distributional.js";
export {
  type ActionDistribution,
  Categorical,
  createActionDistribution,
  DiagonalGaussian,
} from "./nn/distributions.js";
export { forwardRelu, matMulFastGrad } from "./nn/fast-mlp.js";
export { type Activation, Mlp, type MlpOptions } from "./nn/mlp.js";
export { NoisyDense, type NoisyDenseOptions } from "./nn/noisy-dense.js";
export { QNetwork, type QNetworkOptions } from "./nn/q-network.js";
export {
  gaussianParameters,
  LOG_STD_MAX,
  LOG_STD_MIN,
  type SquashedSample,
  squashedSample,
} from "./nn/squashed-gaussian.js";
export {
  CausalSelfAttention,
  CausalTransformer,
  type CausalTransformerOptions,
  causalMask,
  Embedding,
  LayerNorm,
  Linear,
  loadParameters,
  type Parameter,
  parametersToTensors,
  TransformerBlock,
} from "./nn/transformer.js";
export {
  type BehaviourMix,
  type BehaviourPolicy,
  CARTPOLE_EXPERT_GAINS,
  CARTPOLE_MIX,
  collectTrajectory,
  createMixedCartPoleDataset,
  describeDataset,
  episodeReturn,
  type IndexedDataset,
  type IndexedTrajectory,
  indexDataset,
  linearController,
  type MixedDatasetOptions,
  observationStatistics,
  returnsToGo,
  type Trajectory,
} from "./offline/trajectories.js";
export {
  armKey,
  BUDGET_TIERS,
  type BudgetTier,
  type RoutingArm,
  routingArms,
  routingEncoder,
} from "./routing/arms.js";
export {
  embeddingCluster,
  keywordFlags,
  type RoutingState,
  routingFeatureSize,
  routingFeatures,
} from "./routing/features.js";
export {
  DEFAULT_GATES,
  type DecisionSource,
  decideRoute,
  probabilityBetter,
  type RoutingDecision,
  type RoutingGates,
} from "./routing/gated-router.js";
export { LeaderClusters } from "./routing/leader-clusters.js";
export {
  type ArmEncoder,
  type ArmEstimate,
  disjointEncoder,
  LinearBandit,
  type LinearBanditOptions,
} from "./routing/linear-bandit.js";
export {
  type RoutingSimulation,
  type RoutingWindow,
  type SimulatedRouter,
  simulateRouting,
} from "./routing/simulate.js";
