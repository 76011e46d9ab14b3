import type { HeartbeatOptions } from "../connection/heartbeat.js";
import type { ConnectionOptions } from "../connection/types.js";
import type { AcpLogger } from "../logger.js";

/** The heartbeat servers and clients use unless told otherwise. */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 15_000, maxMissed: 2 };

const MIB = 1024 * 1024;

/** How many bytes of output a server's connection may have waiting before it is closed (1008). */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * MIB;

/** The socket's hard frame limit: `maxPayloadBytes`, else 4 × maxFrameBytes (at least 1 MiB). */
export function maxPayloadFor(options: { maxFrameBytes?: number; maxPayloadBytes?: number }): number {
  return options.maxPayloadBytes ?? Math.max(4 * (options.maxFrameBytes ?? MIB), MIB);
}

/** The options of a connection made by a WebSocket server or client: the heartbeat is on by default. */
export function connectionOptionsFor(
  options: Omit<ConnectionOptions, "logger">,
  logger: AcpLogger,
): ConnectionOptions {
  return {
    heartbeat: options.heartbeat ?? DEFAULT_HEARTBEAT,
    logger,
    maxFrameBytes: options.maxFrameBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    maxInFlightRequests: options.maxInFlightRequests,
  };
}
