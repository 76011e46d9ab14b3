import { isRpcError } from "@cca/acp";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { errorResult } from "../tool-result.js";

/** A failed ACP call as a tool error the model can read: `Could not … [code]: message`. */
export function acpErrorResult(action: string, error: unknown): CallToolResult {
  if (isRpcError(error)) {
    const data = error.data as { code?: string } | undefined;
    return errorResult(`${action} [${data?.code ?? `rpc ${error.code}`}]: ${error.message}`);
  }
  return errorResult(`${action}: ${error instanceof Error ? error.message : String(error)}`);
}
