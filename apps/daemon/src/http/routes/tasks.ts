import {
  CcaError,
  CreateTaskRequestSchema,
  MAX_TASK_DESCRIPTION_CHARS,
  ResumeTaskRequestSchema,
  TASK_STATUSES,
  type TaskStatus,
  type TaskWaitResponse,
} from "@cca/core";
import type { TaskListFilter } from "@cca/memory";
import { Hono } from "hono";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import { resolveProject } from "../../projects/resolve-project.js";
import { readJsonBody } from "../body.js";

/** Longest a `GET /tasks/:id?wait_s=` long poll may hold a request. */
const MAX_POLL_S = 60;
/** The response header that carries the cursor of the next page of `GET /tasks`. */
export const NEXT_CURSOR_HEADER = "x-next-cursor";

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
      const project = request.project_dir ? (await resolveProject(request.project_dir)).root : null;
      const task = await orchestrator.submit({ ...request, project });
      if (!request.wait) return context.json(task, 202);
      const waitMs = request.timeout_s !== undefined ? request.timeout_s * 1000 : deps.defaultWaitMs;
      const { task: latest, timedOut } = await orchestrator.waitFor(task.id, waitMs, context.req.raw.signal);
      const body: TaskWaitResponse = { task: latest, timed_out: timedOut };
      return context.json(body, 200);
    })
    .get("/tasks", async (context) => {
      const page = await orchestrator.list(parseListFilter((name) => context.req.query(name)));
      if (page.next_cursor) context.header(NEXT_CURSOR_HEADER, page.next_cursor);
      return context.json(page.tasks);
    })
    .get("/tasks/:id", async (context) => {
      const id = context.req.param("id");
      const waitS = parseBoundedNumber(context.req.query("wait_s"), "wait_s", 0, MAX_POLL_S);
      if (!waitS) return context.json(await orchestrator.get(id));
      return context.json((await orchestrator.waitFor(id, waitS * 1000, context.req.raw.signal)).task);
    })
    .get("/tasks/:id/tree", async (context) => context.json(await orchestrator.tree(context.req.param("id"))))
    .post("/tasks/:id/cancel", async (context) =>
      context.json(await orchestrator.cancel(context.req.param("id"))),
    )
    .post("/tasks/:id/resume", async (context) => {
      const request = await readJsonBody(context, ResumeTaskRequestSchema);
      return context.json(await orchestrator.resume(context.req.param("id"), request));
    });
}

/**
 * `GET /tasks` query: `limit` (1–1000, default 100), `status` (one or several, comma
 * separated), `parent` (`none` for top-level tasks only, or a task id), `project`,
 * `since` (ISO time), `cursor` (the `x-next-cursor` of the page before).
 */
function parseListFilter(query: (name: string) => string | undefined): TaskListFilter {
  const filter: TaskListFilter = { limit: parseBoundedNumber(query("limit"), "limit", 1, 1000) ?? 100 };
  const status = query("status");
  if (status) {
    const statuses = status.split(",").map((value) => value.trim());
    const unknown = statuses.filter((value) => !(TASK_STATUSES as readonly string[]).includes(value));
    if (unknown.length > 0) {
      throw new CcaError(
        "bad_request",
        `Query parameter status=${JSON.stringify(status)} names unknown statuses (${unknown.join(", ")}); known: ${TASK_STATUSES.join(", ")}`,
      );
    }
    filter.status = statuses as TaskStatus[];
  }
  const parent = query("parent");
  if (parent) filter.parent_id = parent === "none" ? null : parent;
  const project = query("project");
  if (project) filter.project = project;
  const since = query("since");
  if (since) {
    if (Number.isNaN(Date.parse(since))) {
      throw new CcaError(
        "bad_request",
        `Query parameter since=${JSON.stringify(since)} must be an ISO time, e.g. 2026-12-01T10:00:00Z`,
      );
    }
    filter.since = new Date(since).toISOString();
  }
  const cursor = query("cursor");
  if (cursor) filter.cursor = cursor;
  return filter;
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
