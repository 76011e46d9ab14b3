import type { Config, Logger, RlStatus, RoutePreview, RoutingPolicy, Task } from "@cca/core";
import type { RoutingDecisionRecord, RoutingExperienceRepository } from "@cca/memory";
import {
  armKey,
  decideRoute,
  Random,
  type RoutingArm,
  routingFeatureSize,
  routingFeatures,
} from "@cca/rl/routing";
import type { ActivityLog } from "../activity/activity-log.js";
import { PolicyModel } from "./policy-model.js";
import { routingOutcome } from "./reward.js";
import { CLUSTER_THRESHOLD, MAX_CLUSTERS, type RoutingStateDeps, routingState } from "./routing-state.js";
import { heuristicRoute, type Route, type RouteRequest, type TaskRouter } from "./task-router.js";

export interface LearnedRouterOptions {
  config: Config["learning"];
  /** Every role agents can have, the Coordinator's included. */
  roles: () => readonly string[];
  coordinator: string;
  experiences: RoutingExperienceRepository;
  state: RoutingStateDeps;
  activity: Pick<ActivityLog, "record">;
  random?: Random;
  logger: Logger;
}

/** A route with what the learned router saw, to record once the task has its id. */
interface LearnedRoute extends Route {
  seen?: Omit<RoutingDecisionRecord, "task_id" | "role" | "source" | "explanation">;
}

/**
 * Routes by the learned policy where its gates allow, else by the heuristic, and learns
 * from every decision's outcome. Tasks choose among every role (the Coordinator, or one
 * specialist alone); parts among the specialists, the asked-for role being the heuristic's.
 * The models live in memory, folded from the shared `rl_experiences` and saved to
 * `rl_checkpoints` every `update_interval_seconds`.
 */
export class LearnedRouter implements TaskRouter {
  readonly #options: LearnedRouterOptions;
  readonly #random: Random;
  readonly #models = new Map<RoutingPolicy, PolicyModel>();
  readonly #features: number;
  #folding: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LearnedRouterOptions) {
    this.#options = options;
    this.#random = options.random ?? new Random(Date.now());
    this.#features = routingFeatureSize(MAX_CLUSTERS, options.config.keywords.length);
  }

  /** Loads the saved models (or starts afresh), folds in what settled since, and keeps folding. */
  async start(): Promise<void> {
    for (const policy of ["task", "part"] as const) {
      const model = this.#model(policy);
      const saved = await this.#options.experiences.loadCheckpoint(policy);
      if (saved && !model.restore(saved)) {
        this.#options.logger.info("the saved routing model is for other roles or features; relearning it", {
          policy,
        });
      }
    }
    await this.#foldAll();
    this.#timer = setInterval(() => {
      this.#foldAll()
        .then(() => this.#saveAll())
        .catch((error: unknown) =>
          this.#options.logger.warn("could not update the routing models", { error: String(error) }),
        );
    }, this.#options.config.update_interval_seconds * 1000);
    this.#timer.unref();
  }

  async route(request: RouteRequest): Promise<Route> {
    const heuristic = heuristicRoute(request, this.#options.coordinator);
    try {
      return await this.#decide(request, heuristic, { record: true });
    } catch (error) {
      this.#options.logger.warn("the learned router failed; routing by the heuristic", {
        error: String(error),
      });
      return heuristic;
    }
  }

  async decided(task: Task, _request: RouteRequest, route: Route): Promise<void> {
    const { seen } = route as LearnedRoute;
    if (!seen) return;
    try {
      await this.#options.experiences.record({
        ...seen,
        task_id: task.id,
        role: route.role,
        source: route.source,
        explanation: route.explanation,
      });
      this.#options.activity.record("routing.decided", { task_id: task.id, summary: route.explanation });
    } catch (error) {
      this.#options.logger.warn("could not record a routing decision", {
        task: task.id,
        error: String(error),
      });
    }
  }

  async ended(task: Task): Promise<void> {
    const outcome = routingOutcome(task, this.#options.config);
    if (!outcome) return;
    try {
      const settled = await this.#options.experiences.settle(task.id, outcome);
      if (settled.length > 0) await this.#foldAll();
    } catch (error) {
      this.#options.logger.warn("could not record a routed task's outcome", {
        task: task.id,
        error: String(error),
      });
    }
  }

  async preview(request: RouteRequest): Promise<RoutePreview> {
    const heuristic = heuristicRoute(request, this.#options.coordinator);
    const route = (await this.#decide(request, heuristic, { record: false })) as LearnedRoute;
    const model = this.#model(request.policy);
    const heuristicArm = model.arms[model.armIndex(heuristic.role, "standard")] ?? {
      role: heuristic.role,
      tier: "standard",
    };
    const features = route.seen?.features ?? [];
    return {
      policy: request.policy,
      role: route.role,
      tier: "standard",
      source: route.source,
      explanation: route.explanation,
      heuristic: heuristicArm,
      estimates:
        features.length === 0
          ? []
          : model.bandit.estimates(features).map((estimate) => ({
              ...model.arms[estimate.arm]!,
              q: estimate.mean,
              std: estimate.std,
              support: estimate.support,
            })),
    };
  }

  async status(): Promise<RlStatus> {
    const { config } = this.#options;
    const policies = [];
    for (const policy of ["task", "part"] as const) {
      const model = this.#model(policy);
      policies.push({
        policy,
        arms: [...model.arms],
        trained_on: model.trainedOn,
        checkpoint_at: model.checkpointAt,
        by_source: await this.#options.experiences.stats(policy),
      });
    }
    return {
      mode: config.shadow ? "shadow" : "on",
      algorithm: config.algorithm,
      gates: {
        min_support: config.min_support,
        min_confidence: config.min_confidence,
        explore: config.explore,
      },
      policies,
    };
  }

  async train() {
    await this.#serialized(async () => {
      for (const model of this.#models.values()) model.reset();
    });
    await this.#foldAll();
    await this.#saveAll();
    return {
      policies: [...this.#models.values()].map((model) => ({
        policy: model.policy,
        trained_on: model.trainedOn,
      })),
    };
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#folding;
    await this.#saveAll().catch((error: unknown) =>
      this.#options.logger.warn("could not save the routing models", { error: String(error) }),
    );
  }

  async #decide(
    request: RouteRequest,
    heuristic: Route,
    options: { record: boolean },
  ): Promise<LearnedRoute> {
    const { config } = this.#options;
    const model = this.#model(request.policy);
    const state = await routingState(
      this.#options.state,
      request.policy,
      request.description,
      model.clusters,
    );
    const features = routingFeatures(state);
    const seen = {
      policy: request.policy,
      project: request.project,
      state,
      features,
      tier: "standard" as const,
      heuristic_role: heuristic.source === "override" ? this.#options.coordinator : heuristic.role,
      heuristic_tier: "standard" as const,
    };
    const heuristicArm = model.armIndex(seen.heuristic_role, "standard");
    if (heuristic.source === "override" || heuristicArm < 0) return { ...heuristic, seen };
    const decision = decideRoute({
      bandit: model.bandit,
      arms: model.arms,
      features,
      heuristicArm,
      gates: {
        minSupport: config.min_support,
        minConfidence: config.min_confidence,
        explore: options.record ? config.explore : 0,
      },
      random: this.#random,
    });
    const chosen = model.arms[decision.arm]!;
    if (config.shadow && decision.source !== "heuristic") {
      return {
        ...heuristic,
        explanation: `${heuristic.explanation}; shadow: the learned policy would have ${decision.explanation}`,
        seen,
      };
    }
    return { role: chosen.role, source: decision.source, explanation: decision.explanation, seen };
  }

  #model(policy: RoutingPolicy): PolicyModel {
    const roles = this.#options
      .roles()
      .filter((role) => policy === "task" || role !== this.#options.coordinator);
    const arms: RoutingArm[] = roles.map((role) => ({ role, tier: "standard" }));
    const existing = this.#models.get(policy);
    if (existing && existing.arms.map(armKey).join() === arms.map(armKey).join()) return existing;
    const model = new PolicyModel(policy, arms, this.#features, {
      max: MAX_CLUSTERS,
      threshold: CLUSTER_THRESHOLD,
    });
    this.#models.set(policy, model);
    return model;
  }

  #foldAll(): Promise<void> {
    return this.#serialized(async () => {
      for (const policy of ["task", "part"] as const) {
        const model = this.#model(policy);
        for (;;) {
          const batch = await this.#options.experiences.settledAfter(
            policy,
            model.cursor,
            this.#options.config.training_batch_size,
          );
          if (batch.length === 0) break;
          model.fold(batch);
        }
      }
    });
  }

  async #saveAll(): Promise<void> {
    for (const model of this.#models.values()) {
      if (model.savedTrainedOn === model.trainedOn) continue;
      await this.#options.experiences.saveCheckpoint(model.toCheckpoint());
      model.savedTrainedOn = model.trainedOn;
      model.checkpointAt = new Date().toISOString();
    }
  }

  /** Runs `work` after any fold in progress, so folds never interleave. */
  #serialized(work: () => Promise<void>): Promise<void> {
    const next = this.#folding.then(work);
    this.#folding = next.catch(() => {});
    return next;
  }
}
