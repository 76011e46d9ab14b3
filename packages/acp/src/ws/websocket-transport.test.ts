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
