import { CcaError, NewMemoryItemSchema } from "@cca/core";
import type { ReasoningBank } from "@cca/memory";
import { Hono } from "hono";
import { readJsonBody } from "../body.js";

/**
 * The ReasoningBank over HTTP: `POST /memory {title, content, description?, kind?,
 * project_dir?}` stores an item; `GET /memory?query=&limit=&project_dir=` searches, each hit
 * with its score, similarity and counters; `GET /memory/stats`; `GET /memory/export` and
 * `POST /memory/import` (JSON lines); `POST /memory/reembed`; `GET /memory/:id`; `DELETE /memory/:id`.
 */
export function memoryRoutes(deps: { memory: ReasoningBank }): Hono {
  const { memory } = deps;
  return new Hono()
    .post("/memory", async (context) => {
      const input = await readJsonBody(context, NewMemoryItemSchema);
      return context.json(await memory.add(input), 201);
    })
    .get("/memory", async (context) => {
      const query = context.req.query("query") ?? "";
      const limitText = context.req.query("limit");
      const limit = limitText === undefined ? 5 : Number(limitText);
      if (!Number.isInteger(limit)) {
        throw new CcaError("bad_request", `limit must be an integer from 1 to 50, not "${limitText}"`);
      }
      const hits = await memory.search(query, { limit, project: context.req.query("project_dir") ?? null });
      return context.json({ embedding_model: memory.embeddingModel, hits });
    })
    .get("/memory/stats", async (context) => context.json(await memory.stats()))
    .get("/memory/export", async (context) =>
      context.body(await memory.export(), 200, { "content-type": "application/x-ndjson; charset=utf-8" }),
    )
    .post("/memory/reembed", async (context) => context.json(await memory.reembed()))
    .post("/memory/import", async (context) => context.json(await memory.import(await context.req.text())))
    .get("/memory/:id", async (context) => context.json(await memory.get(context.req.param("id"))))
    .delete("/memory/:id", async (context) => {
      await memory.forget(context.req.param("id"));
      return context.json({ id: context.req.param("id"), deleted: true });
    });
}
