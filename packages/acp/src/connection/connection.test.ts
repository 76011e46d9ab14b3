import { describe, expect, it } from "vitest";
import { type ConnectionHarness, runConnectionSuite } from "../../test/connection-suite.js";
import { deferred } from "../../test/fixtures/deferred.js";
import { Echo } from "../../test/fixtures/methods.js";
import { tapSend } from "../../test/fixtures/tap-send.js";
import type { Connection } from "../index.js";
import { createInMemoryTransportPair } from "../transport/in-memory.js";
import { createConnection } from "./connection.js";

function inMemoryHarness(): ConnectionHarness {
  const opened: Connection[] = [];
  return {
    async pair(options = {}) {
      const [clientSide, serverSide] = createInMemoryTransportPair();
      const server = createConnection(serverSide, options.server);
      options.setupServer?.(server);
      const client = createConnection(tapSend(clientSide, options.tapClientSend), options.client);
      options.setupClient?.(client);
      await Promise.all([server.start(), client.start()]);
      opened.push(server, client);
      return { client, server };
    },
    async silentPeer(options) {
      const [mine, theirs] = createInMemoryTransportPair();
      theirs.onmessage = () => {};
      await theirs.start();
      const connection = createConnection(mine, options);
      await connection.start();
      opened.push(connection);
      return connection;
    },
    async cleanup() {
      await Promise.all(opened.map((connection) => connection.close()));
    },
  };
}

describe("Connection over the in-memory transport pair", () => {
  runConnectionSuite(inMemoryHarness);

  it("delivers frames that arrived before start(), in order, once started", async () => {
    const [clientSide, serverSide] = createInMemoryTransportPair();
    const client = createConnection(clientSide);
    await client.start();
    const first = client.request(Echo, { text: "first" });
    const second = client.request(Echo, { text: "second" });
    const server = createConnection(serverSide);
    const seen: string[] = [];
    server.onRequest(Echo, ({ text }) => {
      seen.push(text);
      return { text };
    });
    await server.start();
    expect(await Promise.all([first, second])).toEqual([{ text: "first" }, { text: "second" }]);
    expect(seen).toEqual(["first", "second"]);
    await client.close();
  });

  it("calls onClose listeners once, and at once for a listener added after closing", async () => {
    const [clientSide, serverSide] = createInMemoryTransportPair();
    const client = createConnection(clientSide);
    const server = createConnection(serverSide);
    await Promise.all([client.start(), server.start()]);
    const reasons: string[] = [];
    const serverClosed = deferred();
    client.onClose((info) => reasons.push(`${info.origin}: ${info.reason}`));
    server.onClose(() => serverClosed.resolve());
    await client.close("bye");
    await client.close("again");
    await serverClosed.promise;
    client.onClose((info) => reasons.push(`late ${info.origin}: ${info.reason}`));
    expect(reasons).toEqual(["local: bye", "late local: bye"]);
    expect(server.closeInfo?.origin).toBe("remote");
  });
});
