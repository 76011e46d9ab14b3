import { CcaError, sinceInstant, TokenReportQuerySchema } from "@cca/core";
import type { TokenUsageRepository } from "@cca/memory";
import { Hono } from "hono";
import { z } from "zod";

/**
 * Token reports over every turn's recorded usage: `GET /tokens?by=role|project|day|task
 * &since=24h|<ISO time>&task_id=`, each group's tokens (cache writes by lifetime, cache
 * reads, cost) with the total, most tokens first.
 */
export function tokenRoutes(deps: { tokens: Pick<TokenUsageRepository, "report"> }): Hono {
  return new Hono().get("/tokens", async (context) => {
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
}
