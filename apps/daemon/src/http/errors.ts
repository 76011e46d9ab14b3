import { CcaError, type ErrorCode, HTTP_STATUS_BY_CODE, type Logger, toCcaError } from "@cca/core";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type GitErrorCode, type GitErrorDetails, isGitError } from "../git/index.js";

/**
 * The one place that turns a thrown error into `{error:{code,message}}` with its HTTP status.
 * Its details, where it has any, go along as `error.details`: a git layer error keeps its
 * code, and its details (the files in the way, the branch, …) with snake_case keys.
 */
export function errorResponse(context: Context, error: unknown, logger: Logger): Response {
  const failure = isGitError(error) ? fromGitError(error.code, error.message, error) : toCcaError(error);
  const status = HTTP_STATUS_BY_CODE[failure.code] as ContentfulStatusCode;
  if (status >= 500 && (failure.code === "internal" || failure.code === "git_failed")) {
    logger.error("request failed", { path: context.req.path, error: failure.message });
  }
  const details = isGitError(error) ? wireDetails(error.details) : failure.details;
  const body = Object.keys(details).length > 0 ? { ...failure.toJSON(), details } : failure.toJSON();
  return context.json({ error: body }, status);
}

/** For unmatched routes. */
export function notFound(method: string, path: string): CcaError {
  return new CcaError("not_found", `No route for ${method} ${path}; see docs/http-api.md for the API`);
}

// Every git layer code is a CCA error code of the same name; a new one that is not fails to compile here.
function fromGitError(code: GitErrorCode, message: string, cause: unknown): CcaError {
  const wireCode: ErrorCode = code;
  return new CcaError(wireCode, message, { cause });
}

function wireDetails(details: GitErrorDetails): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), value]),
  );
}
