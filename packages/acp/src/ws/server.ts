import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { createConnection } from "../connection/connection.js";
import type { HeartbeatOptions } from "../connection/heartbeat.js";
import type { Connection } from "../connection/types.js";
import { type AcpLogger, noopAcpLogger } from "../logger.js";
import { readRequestToken, refuseUpgrade } from "./auth.js";
import { connectionOptionsFor, DEFAULT_MAX_BUFFERED_BYTES, maxPayloadFor } from "./defaults.js";
import { createWebSocketTransport } from "./websocket-transport.js";

/** Options of an ACP server. */
export interface AcpServerOptions<Principal> {
  /**
   * Decides who connects, before the upgrade. `token` comes from `Authorization: Bearer`
   * or the `token` query parameter (undefined when neither is there). Return null (or
   * undefined) to refuse with HTTP 401.
   */
  authenticate(
    token: string | undefined,
    request: IncomingMessage,
  ): Principal | null | undefined | Promise<Principal | null | undefined>;
  /**
   * Called for each accepted connection. Register handlers here; the connection starts
   * receiving when this returns (or its promise resolves). If it throws, the connection closes.
   */
  onConnection(connection: Connection, principal: Principal, request: IncomingMessage): unknown;
  /** Largest frame answered normally, in bytes; a larger one gets FrameTooLarge and the connection stays. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Largest frame the socket accepts at all; a larger one closes the socket (1009). Default 4 × maxFrameBytes. */
  maxPayloadBytes?: number;
  /**
   * Most bytes of output a connection may have waiting to be sent (`ws.bufferedAmount`,
   * frames batched in this tick included). A client that stops reading is closed with
   * 1008 "send buffer passed … : the client is not reading" once its output passes it,
   * so it cannot grow the server's memory. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Default timeout of requests the server sends to clients, in ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** Most client requests whose handlers may run at once, per connection. Default 4096. */
  maxInFlightRequests?: number;
  /** Dead-client detection; `false` to turn it off. Default `{ intervalMs: 15000, maxMissed: 2 }`. */
  heartbeat?: HeartbeatOptions | false;
  logger?: AcpLogger;
}

/** Where a server started by `listen()` is reachable. */
export interface AcpServerAddress {
  host: string;
  port: number;
  /** `ws://host:port/path`, for `connectAcpClient`. */
  url: string;
}

/** A WebSocket endpoint that speaks ACP. */
export interface AcpServer {
  /** Takes over one HTTP upgrade request (authenticates, then upgrades or answers 401). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Serves ACP on an existing HTTP server's upgrade requests at `path` (every path when
   * omitted). Returns a function that detaches it. Upgrades to other paths are left to
   * other listeners, or answered 404 when there are none.
   */
  attach(server: Server, options?: { path?: string }): () => void;
  /** Listens on a port of its own (default 127.0.0.1, port 0 = any free port). */
  listen(options?: { host?: string; port?: number; path?: string }): Promise<AcpServerAddress>;
  /** The open connections. */
  readonly connections: ReadonlySet<Connection>;
  /** Refuses new upgrades (503), closes every connection, and stops a server started by `listen()`. */
  close(): Promise<void>;
}

function pathnameOf(request: IncomingMessage): string {
  return new URL(request.url ?? "/", "http://localhost").pathname;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class WebSocketAcpServer<Principal> implements AcpServer {
  readonly #options: AcpServerOptions<Principal>;
  readonly #logger: AcpLogger;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #detachers = new Set<() => void>();
  readonly #ownServers = new Set<Server>();
  #closing = false;

  constructor(options: AcpServerOptions<Principal>) {
    this.#options = options;
    this.#logger = options.logger ?? noopAcpLogger;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxPayloadFor(options),
      perMessageDeflate: false,
    });
  }

  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const onEarlyError = (error: Error) =>
      this.#logger.debug("ACP upgrade socket error", { error: error.message });
    socket.on("error", onEarlyError);
    this.#authenticate(request, socket)
      .then((principal) => {
        if (principal === undefined) return;
        if (this.#closing) {
          refuseUpgrade(socket, 503, "The ACP server is shutting down");
          return;
        }
        this.#wss.handleUpgrade(request, socket, head, (webSocket) => {
          socket.off("error", onEarlyError);
          const transport = createWebSocketTransport(webSocket, {
            maxBufferedBytes: this.#options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
          });
          this.#accept(transport, principal, request);
        });
      })
      .catch((error: unknown) => {
        this.#logger.error("ACP upgrade failed", { error: errorMessage(error) });
        refuseUpgrade(socket, 500, "The ACP server failed to accept the connection");
      });
  }

  attach(server: Server, options: { path?: string } = {}): () => void {
    const { path } = options;
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (path !== undefined && pathnameOf(request) !== path) {
        if (server.listenerCount("upgrade") === 1) {
          refuseUpgrade(
            socket,
            404,
            `No WebSocket endpoint at ${pathnameOf(request)}; ACP is served at ${path}`,
          );
        }
        return;
      }
      this.handleUpgrade(request, socket, head);
    };
    server.on("upgrade", listener);
    const detach = () => {
      server.off("upgrade", listener);
      this.#detachers.delete(detach);
    };
    this.#detachers.add(detach);
    return detach;
  }

  async listen(options: { host?: string; port?: number; path?: string } = {}): Promise<AcpServerAddress> {
    const server = createServer((_request, response) => {
      response.writeHead(426, { "Content-Type": "text/plain; charset=utf-8", Upgrade: "websocket" });
      response.end(
        "This endpoint speaks ACP (JSON-RPC 2.0) over WebSocket; connect with a WebSocket client\n",
      );
    });
    this.attach(server, options.path === undefined ? {} : { path: options.path });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#ownServers.add(server);
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(":") ? `[${address}]` : address;
    return { host: address, port, url: `ws://${host}:${port}${options.path ?? "/"}` };
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      [...this.#connections].map((connection) => connection.close("the ACP server is shutting down")),
    );
    for (const detach of [...this.#detachers]) detach();
    await Promise.all(
      [...this.#ownServers].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    this.#ownServers.clear();
    this.#wss.close();
  }

  /** The principal, or undefined after refusing the upgrade. */
  async #authenticate(request: IncomingMessage, socket: Duplex): Promise<Principal | undefined> {
    if (this.#closing) {
      refuseUpgrade(socket, 503, "The ACP server is shutting down");
      return undefined;
    }
    const principal = await this.#options.authenticate(readRequestToken(request), request);
    if (principal === null || principal === undefined) {
      this.#logger.info("ACP connection refused: missing or wrong token", {
        remote: request.socket.remoteAddress,
      });
      refuseUpgrade(
        socket,
        401,
        "Missing or wrong access token: send `Authorization: Bearer <token>` or `?token=<token>`",
      );
      return undefined;
    }
    return principal;
  }

  #accept(
    transport: ReturnType<typeof createWebSocketTransport>,
    principal: Principal,
    request: IncomingMessage,
  ) {
    const options = this.#options;
    const connection = createConnection(transport, connectionOptionsFor(options, this.#logger));
    if (this.#closing) {
      connection.close("the ACP server is shutting down").catch(() => {});
      return;
    }
    this.#connections.add(connection);
    connection.onClose(() => this.#connections.delete(connection));
    const fail = (error: unknown) => {
      this.#logger.error("ACP onConnection threw; closing the connection", { error: errorMessage(error) });
      connection.close(`the server could not set up the connection: ${errorMessage(error)}`).catch(() => {});
    };
    const start = () => {
      connection.start().catch(fail);
    };
    try {
      const setup = options.onConnection(connection, principal, request);
      if (setup instanceof Promise) setup.then(start, fail);
      else start();
    } catch (error) {
      fail(error);
    }
  }
}

/**
 * Creates an ACP server: JSON-RPC 2.0 over WebSocket, with token authentication before
 * the upgrade, a heartbeat per connection, and frame size limits. Attach it to an HTTP
 * server, or let it listen on its own port.
 * @example
 * const acp = createAcpServer({
 *   authenticate: createTokenAuthenticator(token),
 *   onConnection(connection) {
 *     connection.onRequest(GetTask, ({ id }) => tasks.get(id));
 *   },
 * });
 * acp.attach(httpServer, { path: "/acp" }); // or: const { url } = await acp.listen({ port: 0 });
 */
export function createAcpServer<Principal>(options: AcpServerOptions<Principal>): AcpServer {
  return new WebSocketAcpServer(options);
}
