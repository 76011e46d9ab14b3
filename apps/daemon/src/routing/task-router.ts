import type { RlStatus, RlTrainResult, RoutePreview, RoutingPolicy, RoutingSource, Task } from "@cca/core";

/** What is being routed. */
export interface RouteRequest {
  policy: RoutingPolicy;
  description: string;
  project: string | null;
  /**
   * A task: the role a person named (an override), or none (the Coordinator). A part: the
   * role the delegating agent asked for, which is the heuristic's choice.
   */
  role: string | undefined;
}

/** Where it goes, and who decided. */
export interface Route {
  role: string;
  source: RoutingSource;
  explanation: string;
}

/**
 * Picks the role for each top-level task and each delegated part. The heuristic keeps the
 * Coordinator for tasks and the asked-for role for parts; a learned router may replace it.
 */
export interface TaskRouter {
  /** Where `request` goes. Never throws: a failing learner routes by the heuristic. */
  route(request: RouteRequest): Promise<Route>;
  /** Records what the routed work's decision was for, once `task` is stored with its id. */
  decided(task: Task, request: RouteRequest, route: Route): Promise<void>;
  /** A task or part ended: its decision's outcome. */
  ended(task: Task): Promise<void>;
  status(): Promise<RlStatus>;
  preview(request: RouteRequest): Promise<RoutePreview>;
  /** Rebuilds the models from every settled experience. */
  train(): Promise<RlTrainResult>;
  close(): Promise<void>;
}

/** The heuristic's route: the named role, else the Coordinator. */
export function heuristicRoute(request: RouteRequest, coordinator: string): Route {
  if (request.policy === "task" && request.role !== undefined) {
    return {
      role: request.role,
      source: "override",
      explanation: `routed to ${request.role} (named by the person)`,
    };
  }
  const role = request.role ?? coordinator;
  return { role, source: "heuristic", explanation: `routed to ${role} (heuristic)` };
}
