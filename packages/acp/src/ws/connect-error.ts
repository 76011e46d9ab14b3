/** Why an ACP client stopped: the token was refused, it gave up retrying, or it was closed. */
export type AcpConnectErrorCode = "unauthorized" | "gave_up" | "closed";

/**
 * A client-side failure to keep a connection: `connect()` rejects with it and the
 * `closed` state change carries it. (Requests fail with RpcError instead.)
 */
export class AcpConnectError extends Error {
  readonly code: AcpConnectErrorCode;
  readonly url: string;
  /** Failed attempts in a row when it was raised. */
  readonly attempts: number;

  constructor(
    code: AcpConnectErrorCode,
    message: string,
    options: { url: string; attempts: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "AcpConnectError";
    this.code = code;
    this.url = options.url;
    this.attempts = options.attempts;
  }
}
