import type { Transport } from "./transport.js";

class InMemoryTransport implements Transport {
  onmessage?: ((frame: string) => void) | undefined;
  onclose?: ((reason: string) => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  peer: InMemoryTransport | undefined;
  #queue: string[] = [];
  #started = false;
  #closed = false;

  async start(): Promise<void> {
    this.#started = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const frame of queued) this.onmessage?.(frame);
  }

  async send(frame: string): Promise<void> {
    if (this.#closed || this.peer === undefined)
      throw new Error("Cannot send: the in-memory transport is closed");
    this.peer.deliver(frame);
  }

  async close(reason = "closed by this side"): Promise<void> {
    if (this.#closed) return;
    const peer = this.peer;
    this.shutDown(reason);
    peer?.remoteClosed(reason);
  }

  /** Delivers asynchronously, as a socket would, keeping the order of sends. */
  deliver(frame: string): void {
    if (!this.#started) {
      this.#queue.push(frame);
      return;
    }
    queueMicrotask(() => {
      if (!this.#closed) this.onmessage?.(frame);
    });
  }

  remoteClosed(reason: string): void {
    // After the frames the peer sent before closing, like a socket's FIN after its data.
    queueMicrotask(() => this.shutDown(`peer closed the in-memory transport (${reason})`));
  }

  shutDown(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.peer = undefined;
    this.onclose?.(reason);
  }
}

/**
 * Two linked transports: what one sends, the other receives. For tests, and for peers
 * in one process.
 * @example
 * const [clientSide, serverSide] = createInMemoryTransportPair();
 * const server = createConnection(serverSide);
 * const client = createConnection(clientSide);
 */
export function createInMemoryTransportPair(): [Transport, Transport] {
  const a = new InMemoryTransport();
  const b = new InMemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
