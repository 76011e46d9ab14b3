import { timingSafeEqual } from "node:crypto";
import { CcaError } from "@cca/core";
import type { MiddlewareHandler } from "hono";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Requires `Authorization: Bearer <token>` on every route but `GET /health`. A `?token=`
 * query parameter is not accepted here: URLs end up in logs, histories and `Referer`
 * headers. Only the WebSocket upgrade at `/acp` (served by the ACP endpoint, not by this
 * app) takes one, for clients that cannot set headers.
 */
export function requireToken(expected: string): MiddlewareHandler {
  return async (context, next) => {
    if (context.req.path === "/health") return next();
    const given = bearerToken(context.req.header("authorization"));
    if (!given || !sameToken(given, expected)) {
      throw new CcaError(
        "unauthorized",
        "Missing or wrong access token: send `Authorization: Bearer <token>` with the token from $CCA_HOME/token (or set CCA_TOKEN for cca and cca-mcp); a ?token= query parameter is accepted only on the /acp WebSocket upgrade",
      );
    }
    return next();
  };
}
