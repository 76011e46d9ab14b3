import { timingSafeEqual } from "node:crypto";
import { CcaError } from "@cca/core";
import type { MiddlewareHandler } from "hono";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Requires `Authorization: Bearer <token>` (or `?token=`) on every route but `GET /health`. */
export function requireToken(expected: string): MiddlewareHandler {
  return async (context, next) => {
    if (context.req.path === "/health") return next();
    const header = context.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7).trim() : (context.req.query("token") ?? "");
    if (!given || !sameToken(given, expected)) {
      throw new CcaError(
        "unauthorized",
        "Missing or wrong access token: send `Authorization: Bearer <token>` with the token from $CCA_HOME/token (or set CCA_TOKEN for cca and cca-mcp)",
      );
    }
    return next();
  };
}
