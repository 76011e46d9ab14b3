import { CcaError, type RedundancyReport, sinceInstant, TokenReportQuerySchema } from "@cca/core";
import type { TokenUsageRepository } from "@cca/memory";
import { Hono } from "hono";
import { z } from "zod";

/**
 * Token reports over every turn's recorded usage: `GET /tokens?by=role|project|day|task
 * &since=24h|<ISO time>&task_id=`, each group's tokens (cache writes by lifetime, cache
 * reads, cost) with the total, most tokens first; and `GET /tasks/:id/redundancy`, what
 * several agents of a task tree were sent.
 */
export function tokenRoutes(deps: {
  tokens: Pick<TokenUsageRepository, "report">;
  /** A task tree's redundancy report, for `GET /tasks/:id/redundancy`. */
  redundancy?: (taskId: string) => Promise<RedundancyReport>;
}): Hono {
  const routes = new Hono().get("/tokens", async (context) => {
    const parsed = TokenReportQuerySchema.safeParse(context.req.query());
    if (!parsed.success) {
      throw new CcaError(
        "bad_request",
        `Bad token report query: ${z.prettifyError(parsed.error)} (by is one of role, project, day, task)`,
      );
    }
    const { by, since, task_id } = parsed.data;
    let from: Date | null = null;
    if (since !== undefined) {
      try {
        from = sinceInstant(since, new Date());
      } catch (error) {
        throw new CcaError("bad_request", (error as Error).message);
      }
    }
    return context.json(await deps.tokens.report({ by, since: from, taskId: task_id ?? null }));
  });
  const { redundancy } = deps;
  if (!redundancy) return routes;
  return routes.get("/tasks/:id/redundancy", async (context) =>
    context.json(await redundancy(context.req.param("id"))),
  );
}
