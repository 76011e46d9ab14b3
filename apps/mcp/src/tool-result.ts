import { CcaError } from "@cca/core";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A successful tool result holding one text block. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

/** A tool result that tells the model the call failed, and why. */
export function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/**
 * Turns a daemon failure into a tool error, e.g.
 * `Could not create the task [daemon_unreachable]: The CCA daemon is not reachable … Start it with …`.
 * Daemon errors never escape as protocol errors: the model reads them and can act.
 */
export function daemonErrorResult(action: string, error: unknown): CallToolResult {
  if (error instanceof CcaError) return errorResult(`${action} [${error.code}]: ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  return errorResult(`${action} [internal]: ${message}`);
}
