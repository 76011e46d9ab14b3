import { CcaError, HTTP_STATUS_BY_CODE, type Logger, toCcaError } from "@cca/core";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one place that turns a thrown error into `{error:{code,message}}` with its HTTP status. */
export function errorResponse(context: Context, error: unknown, logger: Logger): Response {
  const failure = toCcaError(error);
  const status = HTTP_STATUS_BY_CODE[failure.code] as ContentfulStatusCode;
  if (status >= 500 && failure.code === "internal") {
    logger.error("request failed", { path: context.req.path, error: failure.message });
  }
  return context.json({ error: failure.toJSON() }, status);
}

/** For unmatched routes. */
export function notFound(method: string, path: string): CcaError {
  return new CcaError("not_found", `No route for ${method} ${path}; see docs/http-api.md for the API`);
}
