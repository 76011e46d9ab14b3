export { CancelRequestNotification, PingRequest } from "./builtin-methods.js";
export { createConnection } from "./connection/connection.js";
export type { HeartbeatOptions } from "./connection/heartbeat.js";
export type {
  CloseInfo,
  Connection,
  ConnectionOptions,
  NotificationContext,
  NotificationHandler,
  RequestContext,
  RequestHandler,
  RequestOptions,
} from "./connection/types.js";
export {
  defineNotification,
  defineRequest,
  isReservedMethod,
  type NotificationType,
  type ParamsOf,
  type RequestType,
  type ResultOf,
} from "./descriptors.js";
export { type ErrorCode, ErrorCodes } from "./jsonrpc/error-codes.js";
export type {
  JsonRpcFailure,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
  RequestId,
} from "./jsonrpc/messages.js";
export { isRpcError, RpcError, type RpcErrorObject } from "./jsonrpc/rpc-error.js";
export type { AcpLogger } from "./logger.js";
export {
  AgentBroadcast,
  AgentHeartbeat,
  AgentRegister,
  AgentSend,
  ApprovalRequest,
  EventsActivity,
  EventsSubscribe,
  TaskDelegate,
  TaskProgress,
  TaskResult,
} from "./methods/cca-methods.js";
export { createInMemoryTransportPair } from "./transport/in-memory.js";
export type { Transport } from "./transport/transport.js";
