import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { type ConnectionHarness, runConnectionSuite } from "../../test/connection-suite.js";
import { deferred } from "../../test/fixtures/deferred.js";
import { tapSend } from "../../test/fixtures/tap-send.js";
import { createConnection } from "../connection/connection.js";
import type { Connection } from "../connection/types.js";
import { type AcpServer, createAcpServer } from "./server.js";
import { createWebSocketTransport } from "./websocket-transport.js";

function webSocketHarness(): ConnectionHarness {
  const servers: AcpServer[] = [];
  const bareServers: WebSocketServer[] = [];
  const opened: Connection[] = [];
  return {
    async pair(options = {}) {
      const serverConnection = deferred<Connection>();
      const {
        heartbeat = false,
        maxFrameBytes,
        maxInFlightRequests,
        requestTimeoutMs,
      } = options.server ?? {};
      const acp = createAcpServer({
        authenticate: () => "anyone",
        onConnection(connection) {
          options.setupServer?.(connection);
          serverConnection.resolve(connection);
        },
        heartbeat,
        ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
        ...(maxInFlightRequests === undefined ? {} : { maxInFlightRequests }),
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      });
      servers.push(acp);
      const { url } = await acp.listen({ port: 0 });
      const transport = tapSend(createWebSocketTransport(new WebSocket(url)), options.tapClientSend);
      const client = createConnection(transport, options.client);
      opened.push(client);
      options.setupClient?.(client);
      await client.start();
      return { client, server: await serverConnection.promise };
    },
    async silentPeer(options) {
      const bare = new WebSocketServer({ port: 0, host: "127.0.0.1" });
      bareServers.push(bare);
      await once(bare, "listening");
      bare.on("connection", (socket) => socket.on("message", () => {}));
      const { port } = bare.address() as AddressInfo;
      const connection = createConnection(
        createWebSocketTransport(new WebSocket(`ws://127.0.0.1:${port}`)),
        options,
      );
      opened.push(connection);
      await connection.start();
      return connection;
    },
    async cleanup() {
      await Promise.all(opened.map((connection) => connection.close()));
      await Promise.all(servers.map((server) => server.close()));
      for (const bare of bareServers) {
        for (const socket of bare.clients) socket.terminate();
        bare.close();
      }
    },
  };
}

describe("Connection over WebSocket (ws, loopback)", () => {
  runConnectionSuite(webSocketHarness);

  it("passes the closing side's reason to the peer in the close frame", async () => {
    const harness = webSocketHarness();
    try {
      const { client, server } = await harness.pair();
      const closed = deferred<string>();
      server.onClose((info) => closed.resolve(info.reason));
      await client.close("agent finished");
      expect(await closed.promise).toBe("WebSocket closed with code 1000: agent finished");
    } finally {
      await harness.cleanup();
    }
  });
});

describe("WebSocket transport send buffer", () => {
  it("closes the socket (1008) once a peer that stopped reading lets its output pass maxBufferedBytes", async () => {
    const bare = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(bare, "listening");
    const accepted = once(bare, "connection") as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${(bare.address() as AddressInfo).port}`);
    const clientClosed = new Promise<[number, string]>((resolve) =>
      client.on("close", (code, reason) => resolve([code, reason.toString()])),
    );
    await once(client, "open");
    const [socket] = await accepted;
    try {
      client.pause();
      const limit = 64 * 1024;
      // A long close timeout: this test lets the client read again to see the close frame.
      const transport = createWebSocketTransport(socket, { maxBufferedBytes: limit, closeTimeoutMs: 10_000 });
      const closed = deferred<string>();
      transport.onclose = (reason) => closed.resolve(reason);
      await transport.start();
      const frame = JSON.stringify({
        jsonrpc: "2.0",
        method: "test/note",
        params: { text: "x".repeat(4000) },
      });
      let reason: string | undefined;
      closed.promise.then((text) => {
        reason = text;
      });
      let mostBuffered = 0;
      // Floods as the daemon did (sends not awaited), yielding so the socket can flush to the
      // kernel until the kernel's buffers are full too. Bounded: 24 000 frames, about 96 MB.
      for (let batch = 0; reason === undefined && batch < 1_500; batch += 1) {
        for (let i = 0; i < 16; i += 1) {
          transport.send(frame).catch(() => {});
          mostBuffered = Math.max(mostBuffered, socket.bufferedAmount);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(reason).toBe(
        "WebSocket closed with code 1008: send buffer passed 64 KiB: the client is not reading",
      );
      // What waits in this process never exceeded the limit by more than the frame that passed it.
      expect(mostBuffered).toBeLessThanOrEqual(limit + frame.length + 16);
      await expect(transport.send(frame)).rejects.toThrow(/send buffer passed 64 KiB/);
      expect(socket.bufferedAmount).toBeLessThanOrEqual(limit + frame.length + 16);
      client.resume();
      expect(await clientClosed).toEqual([1008, "send buffer passed 64 KiB: the client is not reading"]);
    } finally {
      client.terminate();
      bare.close();
    }
  });
});
