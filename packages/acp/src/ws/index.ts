export { createTokenAuthenticator, readRequestToken, refuseUpgrade } from "./auth.js";
export { backoffDelay, type ReconnectOptions } from "./backoff.js";
export {
  type AcpClient,
  type AcpClientOptions,
  type AcpClientState,
  type AcpClientStateChange,
  connectAcpClient,
  createAcpClient,
} from "./client.js";
export { AcpConnectError, type AcpConnectErrorCode } from "./connect-error.js";
export { DEFAULT_HEARTBEAT, DEFAULT_MAX_BUFFERED_BYTES } from "./defaults.js";
export {
  type AcpServer,
  type AcpServerAddress,
  type AcpServerOptions,
  createAcpServer,
} from "./server.js";
export {
  BUFFER_OVERFLOW_CLOSE_CODE,
  closeReason,
  createWebSocketTransport,
  type WebSocketTransportOptions,
} from "./websocket-transport.js";
