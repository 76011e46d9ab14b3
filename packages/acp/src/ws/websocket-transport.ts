import type { Duplex } from "node:stream";
import WebSocket, { type RawData } from "ws";
import type { Transport } from "../transport/transport.js";

/** Options of a WebSocket transport. */
export interface WebSocketTransportOptions {
  /** How long `close()` waits for the peer's close frame before dropping the socket, in ms. Default 1000. */
  closeTimeoutMs?: number;
  /** The close code `close()` sends. Default 1000 (normal closure). */
  closeCode?: number;
  /**
   * Most bytes that may wait to be sent (`bufferedAmount`, corked frames included). A send
   * that passes it closes the socket with 1008 (BUFFER_OVERFLOW_CLOSE_CODE) and a reason
   * saying so, and later sends reject: a peer that does not read cannot grow this process's
   * memory. Default: no limit.
   */
  maxBufferedBytes?: number;
}

/** The close code of a socket closed because its peer stopped reading: 1008, policy violation. */
export const BUFFER_OVERFLOW_CLOSE_CODE = 1008;

const KIB = 1024;
const MIB = 1024 * KIB;

/** `8 MiB`, `64 KiB` or `1000 bytes`. */
function formatBytes(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  if (bytes >= KIB && bytes % KIB === 0) return `${bytes / KIB} KiB`;
  return `${bytes} bytes`;
}

/** A close frame's reason cut to the 123 bytes it may hold (on a character boundary). */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= 123
    ? reason
    : `${bytes
        .subarray(0, 120)
        .toString("utf8")
        .replace(/\uFFFD+$/, "")}...`;
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

class WebSocketTransport implements Transport {
  onmessage?: ((frame: string) => void) | undefined;
  onclose?: ((reason: string) => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  readonly #socket: WebSocket;
  readonly #options: WebSocketTransportOptions;
  #queue: string[] | undefined = [];
  #closed = false;
  #corked = false;
  /** Why the transport closed the socket itself (its peer stopped reading), once it has. */
  #overflow: string | undefined;
  #closeReported = false;
  #closedPromise: Promise<void>;

  constructor(socket: WebSocket, options: WebSocketTransportOptions) {
    this.#socket = socket;
    this.#options = options;
    let markClosed = () => {};
    this.#closedPromise = new Promise((resolve) => {
      markClosed = resolve;
    });
    socket.on("message", (data) => {
      const frame = typeof data === "string" ? data : frameText(data);
      if (this.#queue) this.#queue.push(frame);
      else this.onmessage?.(frame);
    });
    socket.on("error", (error) => this.onerror?.(error));
    socket.on("close", (code, reason) => {
      markClosed();
      this.#closed = true;
      const text = reason.length > 0 ? `: ${reason.toString("utf8")}` : "";
      this.#reportClose(`WebSocket closed with code ${code}${text}`);
    });
  }

  async start(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CONNECTING) {
      await new Promise<void>((resolve, reject) => {
        this.#socket.once("open", () => resolve());
        this.#socket.once("close", (code) =>
          reject(new Error(`WebSocket closed with code ${code} while opening`)),
        );
      });
    }
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    for (const frame of queued) this.onmessage?.(frame);
  }

  send(frame: string): Promise<void> {
    if (this.#overflow) return Promise.reject(new Error(`Cannot send: ${this.#overflow}`));
    if (this.#socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(
        new Error(`Cannot send: the WebSocket is ${this.#closed ? "closed" : "not open"}`),
      );
    }
    this.#corkUntilNextTick();
    const sent = new Promise<void>((resolve, reject) => {
      this.#socket.send(frame, (error) => (error ? reject(error) : resolve()));
    });
    const limit = this.#options.maxBufferedBytes;
    if (limit !== undefined && this.#socket.bufferedAmount > limit) this.#closeOverflowing(limit);
    return sent;
  }

  /**
   * Closes a socket whose peer stopped reading. The close frame waits behind the buffered
   * data, so a peer that reads again learns why; one that does not is dropped after
   * `closeTimeoutMs`. The connection hears of it at once.
   */
  #closeOverflowing(limit: number): void {
    const reason = `send buffer passed ${formatBytes(limit)}: the client is not reading`;
    this.#overflow = reason;
    this.#socket.close(BUFFER_OVERFLOW_CLOSE_CODE, reason);
    const timer = setTimeout(() => this.#socket.terminate(), this.#options.closeTimeoutMs ?? 1000);
    timer.unref();
    this.#closedPromise.then(() => clearTimeout(timer));
    this.onerror?.(new Error(`Closing the WebSocket: ${reason}`));
    this.#reportClose(`WebSocket closed with code ${BUFFER_OVERFLOW_CLOSE_CODE}: ${reason}`);
  }

  #reportClose(reason: string): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.onclose?.(reason);
  }

  /**
   * Frames sent in the same tick (the replies to one burst of requests) leave in one
   * write instead of one system call each. ws keeps its TCP socket in `_socket`.
   */
  #corkUntilNextTick(): void {
    if (this.#corked) return;
    const tcp = (this.#socket as unknown as { _socket?: Duplex })._socket;
    if (!tcp) return;
    this.#corked = true;
    tcp.cork();
    process.nextTick(() => {
      this.#corked = false;
      tcp.uncork();
    });
  }

  async close(reason = ""): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    if (this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.terminate();
      return this.#closedPromise;
    }
    this.#socket.close(this.#options.closeCode ?? 1000, closeReason(reason));
    const timer = setTimeout(() => this.#socket.terminate(), this.#options.closeTimeoutMs ?? 1000);
    timer.unref();
    await this.#closedPromise;
    clearTimeout(timer);
  }
}

/**
 * A transport over an open (or opening) `ws` WebSocket. Text and binary frames are both
 * read as UTF-8 JSON text; frames are sent as text.
 */
export function createWebSocketTransport(
  socket: WebSocket,
  options: WebSocketTransportOptions = {},
): Transport {
  return new WebSocketTransport(socket, options);
}
