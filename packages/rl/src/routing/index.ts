// @cca/rl/routing: the learned router's parts, without TensorFlow.js (the daemon loads only this).

export { Random } from "../core/random.js";
export {
  armKey,
  BUDGET_TIERS,
  type BudgetTier,
  type RoutingArm,
  routingArms,
  routingEncoder,
} from "./arms.js";
export {
  embeddingCluster,
  keywordFlags,
  type RoutingState,
  routingFeatureSize,
  routingFeatures,
} from "./features.js";
export {
  DEFAULT_GATES,
  type DecisionSource,
  decideRoute,
  probabilityBetter,
  type RoutingDecision,
  type RoutingGates,
} from "./gated-router.js";
export { LeaderClusters } from "./leader-clusters.js";
export {
  type ArmEncoder,
  type ArmEstimate,
  disjointEncoder,
  LinearBandit,
  type LinearBanditOptions,
} from "./linear-bandit.js";
