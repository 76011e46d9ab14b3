import { ErrorCodes, RpcError } from "@cca/acp";
import { toCcaError } from "@cca/core";

/** A CCA error as a JSON-RPC error: application error code, the message, and the CCA code in `data`. */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const failure = toCcaError(error);
  return new RpcError(ErrorCodes.ApplicationError, failure.message, { data: { code: failure.code } });
}
