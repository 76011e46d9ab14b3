import { CcaError } from "@cca/core";
import type { Context } from "hono";
import type { z } from "zod";

/** Reads and validates a JSON body; malformed JSON and schema violations become 400s that say what was wrong. */
export async function readJsonBody<T extends z.ZodType>(context: Context, schema: T): Promise<z.output<T>> {
  const text = await context.req.text();
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw new CcaError("invalid_json", `The request body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
      .join("; ");
    throw new CcaError("bad_request", `Invalid request body: ${problems}`);
  }
  return parsed.data;
}
