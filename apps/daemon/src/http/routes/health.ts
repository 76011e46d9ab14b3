import type { Health, TaskScheduler } from "@cca/core";
import type { Database, ReasoningBank } from "@cca/memory";
import { Hono } from "hono";

/** What `GET /health` checks. */
export interface Dependencies {
  database: Database;
  scheduler: TaskScheduler;
}

/** How long one dependency may take to answer a health check. */
const CHECK_MS = 1_500;

/**
 * `GET /health`, without a token: "ok" when every dependency answers, else "degraded"
 * (still HTTP 200: the daemon itself is up), with each dependency's state.
 */
export function healthRoutes(deps: {
  version: string;
  startedAt: number;
  dependencies?: Dependencies;
  memory?: Pick<ReasoningBank, "embeddingModel" | "embeddingDimension">;
}): Hono {
  return new Hono().get("/health", async (context) => {
    const dependencies: Health["dependencies"] = {};
    if (deps.dependencies) {
      const { database, scheduler } = deps.dependencies;
      const [db, queue] = await Promise.all([
        database.ping(CHECK_MS).then(
          () => ({ kind: database.engine, up: true }),
          (error: unknown) => ({ kind: database.engine, up: false, error: (error as Error).message }),
        ),
        scheduler.health().catch((error: unknown) => ({ kind: "unknown", up: false, error: String(error) })),
      ]);
      dependencies.database = db;
      dependencies.queue = queue;
    }
    const body: Health = {
      status: Object.values(dependencies).every((dependency) => dependency.up) ? "ok" : "degraded",
      version: deps.version,
      uptime_s: (Date.now() - deps.startedAt) / 1000,
      dependencies,
      ...(deps.memory
        ? {
            memory: {
              embedding_model: deps.memory.embeddingModel,
              dimension: deps.memory.embeddingDimension,
            },
          }
        : {}),
    };
    return context.json(body);
  });
}
