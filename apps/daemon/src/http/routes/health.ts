import type { Health } from "@cca/core";
import { Hono } from "hono";

export function healthRoutes(deps: { version: string; startedAt: number }): Hono {
  return new Hono().get("/health", (context) => {
    const body: Health = {
      status: "ok",
      version: deps.version,
      uptime_s: (Date.now() - deps.startedAt) / 1000,
    };
    return context.json(body);
  });
}
