import type { RlStatus } from "@cca/core";
import { heuristicRoute, type TaskRouter } from "./task-router.js";

/** `[learning] enabled = false`: the heuristic alone, nothing recorded or learned. */
export function heuristicRouter(options: {
  coordinator: string;
  gates: RlStatus["gates"];
  algorithm: string;
}): TaskRouter {
  return {
    route: async (request) => heuristicRoute(request, options.coordinator),
    decided: async () => {},
    ended: async () => {},
    status: async () => ({ mode: "off", algorithm: options.algorithm, gates: options.gates, policies: [] }),
    preview: async (request) => {
      const route = heuristicRoute(request, options.coordinator);
      return {
        policy: request.policy,
        role: route.role,
        tier: "standard",
        source: route.source,
        explanation: `${route.explanation}; learning is off ([learning] enabled = false)`,
        heuristic: { role: route.role, tier: "standard" },
        estimates: [],
      };
    },
    train: async () => ({ policies: [] }),
    close: async () => {},
  };
}
