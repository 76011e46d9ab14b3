import {
  CcaError,
  CreateTaskRequestSchema,
  MAX_TASK_DESCRIPTION_CHARS,
  type TaskWaitResponse,
} from "@cca/core";
import { Hono } from "hono";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import { readJsonBody } from "../body.js";

/** Longest a `GET /tasks/:id?wait_s=` long poll may hold a request. */
const MAX_POLL_S = 60;

export function taskRoutes(deps: { orchestrator: Orchestrator; defaultWaitMs: number }): Hono {
  const { orchestrator } = deps;
  return new Hono()
    .post("/tasks", async (context) => {
      const request = await readJsonBody(context, CreateTaskRequestSchema);
      if (request.description.length > MAX_TASK_DESCRIPTION_CHARS) {
        throw new CcaError(
          "payload_too_large",
          `The description has ${request.description.length} characters; the limit is ${MAX_TASK_DESCRIPTION_CHARS}. Put large material in files and refer to them.`,
        );
      }
      const task = await orchestrator.submit(request);
      if (!request.wait) return context.json(task, 202);
      const waitMs = request.timeout_s !== undefined ? request.timeout_s * 1000 : deps.defaultWaitMs;
      const { task: latest, timedOut } = await orchestrator.waitFor(task.id, waitMs, context.req.raw.signal);
      const body: TaskWaitResponse = { task: latest, timed_out: timedOut };
      return context.json(body, 200);
    })
    .get("/tasks", async (context) => {
      const limit = parseBoundedNumber(context.req.query("limit"), "limit", 1, 1000) ?? 100;
      return context.json(await orchestrator.listAll(limit));
    })
    .get("/tasks/:id", async (context) => {
      const id = context.req.param("id");
      const waitS = parseBoundedNumber(context.req.query("wait_s"), "wait_s", 0, MAX_POLL_S);
      if (!waitS) return context.json(await orchestrator.lookup(id));
      return context.json((await orchestrator.waitFor(id, waitS * 1000, context.req.raw.signal)).task);
    })
    .get("/tasks/:id/tree", async (context) => context.json(await orchestrator.tree(context.req.param("id"))))
    .post("/tasks/:id/cancel", async (context) =>
      context.json(await orchestrator.cancel(context.req.param("id"))),
    );
}

function parseBoundedNumber(
  raw: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new CcaError(
      "bad_request",
      `Query parameter ${name}=${JSON.stringify(raw)} must be a number from ${min} to ${max}`,
    );
  }
  return value;
}
