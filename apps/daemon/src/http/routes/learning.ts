import { CcaError, RoutingPolicySchema } from "@cca/core";
import type { RoutingExperienceRepository } from "@cca/memory";
import { Hono } from "hono";
import { z } from "zod";
import type { TaskRouter } from "../../routing/task-router.js";

const PreviewQuerySchema = z.object({
  description: z.string().trim().min(1, "description must not be empty"),
  policy: RoutingPolicySchema.default("task"),
  role: z.string().min(1).optional(),
  project: z.string().min(1).optional(),
});

const ExperiencesQuerySchema = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>, what: string): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new CcaError("bad_request", `Bad ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Learned routing: `GET /rl/status` (mode, gates, each policy's training and outcomes by
 * source), `GET /rl/policy?description=&policy=task|part&role=` (how a description would be
 * routed now, with every role's estimate), `POST /rl/train` (rebuild the models from every
 * settled experience), `GET /rl/experiences?after=&limit=` (the decisions, a page at a time).
 */
export function learningRoutes(deps: {
  router: TaskRouter;
  experiences?: RoutingExperienceRepository;
}): Hono {
  return new Hono()
    .get("/rl/status", async (context) => context.json(await deps.router.status()))
    .get("/rl/policy", async (context) => {
      const query = parseQuery(
        PreviewQuerySchema,
        context.req.query(),
        "routing preview query (description is required; policy is task or part)",
      );
      return context.json(
        await deps.router.preview({
          policy: query.policy,
          description: query.description,
          project: query.project ?? null,
          role: query.role,
        }),
      );
    })
    .post("/rl/train", async (context) => context.json(await deps.router.train()))
    .get("/rl/experiences", async (context) => {
      const query = parseQuery(
        ExperiencesQuerySchema,
        context.req.query(),
        "experiences query (limit is 1–1000)",
      );
      const items = deps.experiences
        ? await deps.experiences.list({ after: query.after, limit: query.limit })
        : [];
      return context.json({
        items,
        next_after: items.length === query.limit ? (items.at(-1)?.id ?? null) : null,
      });
    });
}
