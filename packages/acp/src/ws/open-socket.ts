import WebSocket from "ws";
import { AcpConnectError } from "./connect-error.js";

/** How to open a client socket. */
export interface OpenSocketOptions {
  url: string;
  token: string | undefined;
  tokenIn: "header" | "query";
  maxPayloadBytes: number;
  handshakeTimeoutMs: number;
  /** The number of this attempt, for the error. */
  attempt: number;
}

/**
 * Opens a WebSocket with the token as `Authorization: Bearer` or `?token=`. Resolves when
 * it is open; rejects with the socket error, or with an `unauthorized` AcpConnectError on
 * HTTP 401.
 */
export function openSocket(options: OpenSocketOptions): Promise<WebSocket> {
  const { url, token, tokenIn } = options;
  let target = url;
  const headers: Record<string, string> = {};
  if (token !== undefined && tokenIn === "query") {
    const withToken = new URL(url);
    withToken.searchParams.set("token", token);
    target = withToken.toString();
  } else if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target, {
      headers,
      maxPayload: options.maxPayloadBytes,
      handshakeTimeout: options.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    // ws may report a failed handshake twice; the first report settles the promise below.
    socket.on("error", () => {});
    const settle = () => {
      socket.off("open", onOpen);
      socket.off("error", onError);
      socket.off("unexpected-response", onUnexpectedResponse);
    };
    const onOpen = () => {
      settle();
      resolve(socket);
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onUnexpectedResponse = (
      request: { destroy(): void },
      response: { statusCode?: number; resume(): void },
    ) => {
      settle();
      response.resume();
      request.destroy();
      const status = response.statusCode ?? 0;
      reject(
        status === 401
          ? new AcpConnectError(
              "unauthorized",
              `${url} refused the access token (HTTP 401); check the token (CCA_TOKEN or $CCA_HOME/token)`,
              { url, attempts: options.attempt },
            )
          : new Error(`${url} answered HTTP ${status} instead of upgrading to WebSocket`),
      );
    };
    socket.once("open", onOpen);
    socket.once("error", onError);
    socket.once("unexpected-response", onUnexpectedResponse);
  });
}
