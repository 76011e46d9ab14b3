import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { serveFixtures } from "../../test/connection-suite.js";
import { Note } from "../../test/fixtures/methods.js";
import { openRawClient, type RawClient, upgradeOutcome } from "../../test/fixtures/raw-client.js";
import type { Connection } from "../connection/types.js";
import { ErrorCodes } from "../jsonrpc/error-codes.js";
import { type AcpServer, type AcpServerOptions, createAcpServer } from "./server.js";

const servers: AcpServer[] = [];
const clients: RawClient[] = [];
const httpServers: Server[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startServer(options: Partial<AcpServerOptions<string>> = {}) {
  const connections: Connection[] = [];
  let fixtures: ReturnType<typeof serveFixtures> | undefined;
  const server = createAcpServer<string>({
    authenticate: () => "tester",
    onConnection(connection) {
      connections.push(connection);
      fixtures = serveFixtures(connection);
    },
    heartbeat: false,
    ...options,
  });
  servers.push(server);
  const { url } = await server.listen({ port: 0 });
  const client = await openRawClient(url);
  clients.push(client);
  return { server, url, client, connections, fixtures: () => fixtures! };
}

const GOOD_REQUEST = '{"jsonrpc":"2.0","id":"good","method":"test/echo","params":{"text":"still serving"}}';

/** Sends a valid request and expects its answer next: the server kept serving this connection. */
async function expectStillServing(client: RawClient): Promise<void> {
  client.send(GOOD_REQUEST);
  expect(await client.next()).toEqual({ jsonrpc: "2.0", id: "good", result: { text: "still serving" } });
}

describe("JSON-RPC 2.0 conformance of the WebSocket server", () => {
  const badFrames: [string, string, unknown][] = [
    ["malformed JSON", '{"jsonrpc":"2.0","method":"test/echo",', { id: null, code: ErrorCodes.ParseError }],
    ["a JSON number", "42", { id: null, code: ErrorCodes.InvalidRequest }],
    ["a JSON string", '"hello"', { id: null, code: ErrorCodes.InvalidRequest }],
    ["JSON null", "null", { id: null, code: ErrorCodes.InvalidRequest }],
    [
      'a request without "jsonrpc"',
      '{"id":1,"method":"test/echo","params":{"text":"x"}}',
      { id: 1, code: ErrorCodes.InvalidRequest },
    ],
    [
      'a request with "jsonrpc": "1.0"',
      '{"jsonrpc":"1.0","id":2,"method":"test/echo","params":{"text":"x"}}',
      { id: 2, code: ErrorCodes.InvalidRequest },
    ],
    [
      "an object id",
      '{"jsonrpc":"2.0","id":{"n":1},"method":"test/echo","params":{"text":"x"}}',
      { id: null, code: ErrorCodes.InvalidRequest },
    ],
    [
      "a boolean id",
      '{"jsonrpc":"2.0","id":true,"method":"test/echo"}',
      { id: null, code: ErrorCodes.InvalidRequest },
    ],
    [
      "a numeric method",
      '{"jsonrpc":"2.0","method":1,"params":"bar"}',
      { id: null, code: ErrorCodes.InvalidRequest },
    ],
    [
      "string params",
      '{"jsonrpc":"2.0","id":3,"method":"test/echo","params":"text"}',
      { id: 3, code: ErrorCodes.InvalidRequest },
    ],
    [
      "a response with both result and error",
      '{"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1,"message":"m"}}',
      { id: null, code: ErrorCodes.InvalidRequest },
    ],
    [
      "an unknown method",
      '{"jsonrpc":"2.0","id":5,"method":"no/such"}',
      { id: 5, code: ErrorCodes.MethodNotFound },
    ],
    [
      "a handler that throws",
      '{"jsonrpc":"2.0","id":6,"method":"test/crash","params":{}}',
      { id: 6, code: ErrorCodes.InternalError, message: "the fixture crashed" },
    ],
  ];

  it.each(badFrames)(
    "answers %s with the right error, then serves the next request",
    async (_name, frame, expected) => {
      const { client } = await startServer();
      client.send(frame);
      const reply = (await client.next()) as {
        jsonrpc: string;
        id: unknown;
        error: { code: number; message: string };
      };
      const { id, ...error } = expected as { id: unknown; code: number; message?: string };
      expect(reply.jsonrpc).toBe("2.0");
      expect(reply.id).toBe(id);
      expect(reply).not.toHaveProperty("result");
      expect(reply.error).toMatchObject(error);
      await expectStillServing(client);
    },
  );

  it("answers params that fail the schema with -32602 and the zod issues in data", async () => {
    const { client } = await startServer();
    client.send('{"jsonrpc":"2.0","id":7,"method":"test/add","params":{"a":1}}');
    expect(await client.next()).toMatchObject({
      id: 7,
      error: {
        code: ErrorCodes.InvalidParams,
        data: { method: "test/add", issues: [{ path: ["b"], code: "invalid_type" }] },
      },
    });
    await expectStillServing(client);
  });

  it("never answers a notification, not even one for an unknown method or with bad params", async () => {
    const { client, fixtures } = await startServer();
    client.send('{"jsonrpc":"2.0","method":"test/note","params":{"text":"heard"}}');
    client.send('{"jsonrpc":"2.0","method":"no/such","params":{}}');
    client.send('{"jsonrpc":"2.0","method":"test/note","params":{"text":5}}');
    // Frames are handled in order: if any notification were answered, that answer would come first.
    await expectStillServing(client);
    expect(fixtures().notes).toEqual(["heard"]);
  });

  it("answers a mixed batch with one array holding a response per request and invalid element", async () => {
    const { client } = await startServer();
    client.send(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "test/echo", params: { text: "one" } },
        { jsonrpc: "2.0", method: "test/note", params: { text: "in a batch" } },
        1,
        { jsonrpc: "2.0", id: "three", method: "no/such" },
        { jsonrpc: "2.0", id: 4, method: "test/add", params: { a: 1, b: "2" } },
        { jsonrpc: "2.0", id: 5, method: "test/add", params: { a: 1, b: 2 } },
      ]),
    );
    const replies = (await client.next()) as { id: unknown; result?: unknown; error?: { code: number } }[];
    expect(Array.isArray(replies)).toBe(true);
    expect(replies).toHaveLength(5);
    const byId = new Map(replies.map((reply) => [reply.id, reply]));
    expect(byId.get(1)).toEqual({ jsonrpc: "2.0", id: 1, result: { text: "one" } });
    expect(byId.get(null)?.error?.code).toBe(ErrorCodes.InvalidRequest);
    expect(byId.get("three")?.error?.code).toBe(ErrorCodes.MethodNotFound);
    expect(byId.get(4)?.error?.code).toBe(ErrorCodes.InvalidParams);
    expect(byId.get(5)?.result).toBe(3);
    await expectStillServing(client);
  });

  it("sends nothing for a batch of notifications only", async () => {
    const { client, fixtures } = await startServer();
    client.send(
      JSON.stringify([
        { jsonrpc: "2.0", method: "test/note", params: { text: "a" } },
        { jsonrpc: "2.0", method: "test/note", params: { text: "b" } },
      ]),
    );
    await expectStillServing(client);
    expect(fixtures().notes).toEqual(["a", "b"]);
  });

  it("answers an empty batch with a single Invalid Request, not an array", async () => {
    const { client } = await startServer();
    client.send("[]");
    const reply = await client.next();
    expect(reply).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: ErrorCodes.InvalidRequest } });
    expect(Array.isArray(reply)).toBe(false);
    await expectStillServing(client);
  });

  it("answers an oversized request with FrameTooLarge and its id, and keeps the connection", async () => {
    const { client, connections } = await startServer({ maxFrameBytes: 1024 });
    client.send(
      JSON.stringify({ jsonrpc: "2.0", id: 9, method: "test/echo", params: { text: "x".repeat(4000) } }),
    );
    expect(await client.next()).toMatchObject({
      id: 9,
      error: { code: ErrorCodes.FrameTooLarge, data: { maxFrameBytes: 1024 } },
    });
    await expectStillServing(client);
    expect(connections[0]?.closed).toBe(false);
  });

  it("does not answer an oversized notification", async () => {
    const { client } = await startServer({ maxFrameBytes: 1024 });
    client.send(JSON.stringify({ jsonrpc: "2.0", method: "test/note", params: { text: "x".repeat(4000) } }));
    await expectStillServing(client);
  });

  it("closes the socket (1009) on a frame over maxPayloadBytes, the hard limit", async () => {
    const { client } = await startServer({ maxFrameBytes: 1024, maxPayloadBytes: 4096 });
    client.send(
      JSON.stringify({ jsonrpc: "2.0", id: 10, method: "test/echo", params: { text: "x".repeat(10_000) } }),
    );
    expect(await client.closed).toBe(1009);
  });
});

describe("the WebSocket server", () => {
  it("closes a connection whose client answers no $/ping", async () => {
    const { client, connections } = await startServer({ heartbeat: { intervalMs: 20, maxMissed: 2 } });
    const pings = [await client.next(), await client.next()];
    expect(pings).toMatchObject([{ method: "$/ping" }, { method: "$/ping" }]);
    await client.closed;
    expect(connections[0]?.closeInfo).toMatchObject({ origin: "heartbeat" });
  });

  it("closes every connection on close()", async () => {
    const { server, url, client } = await startServer();
    const second = await openRawClient(url);
    clients.push(second);
    await server.close();
    expect(await Promise.all([client.closed, second.closed])).toEqual([1000, 1000]);
    expect(server.connections.size).toBe(0);
  });

  it("serves ACP at a path of an existing HTTP server and leaves its other routes alone", async () => {
    const http = createServer((_request, response) => response.end("ok"));
    httpServers.push(http);
    const acp = createAcpServer({
      authenticate: () => "tester",
      onConnection: (connection) => void serveFixtures(connection),
      heartbeat: false,
    });
    servers.push(acp);
    acp.attach(http, { path: "/acp" });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as AddressInfo;
    const client = await openRawClient(`ws://127.0.0.1:${port}/acp`);
    clients.push(client);
    await expectStillServing(client);
    expect(await upgradeOutcome(`ws://127.0.0.1:${port}/elsewhere`)).toBe(404);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).text()).toBe("ok");
  });

  it("starts a connection only after an async onConnection has registered its handlers", async () => {
    const server = createAcpServer({
      authenticate: () => "tester",
      async onConnection(connection, _principal, request) {
        // Register only after the client's first frame has reached the server.
        await new Promise((resolve) => request.socket.once("data", resolve));
        serveFixtures(connection);
      },
      heartbeat: false,
    });
    servers.push(server);
    const { url } = await server.listen({ port: 0 });
    const client = await openRawClient(url);
    clients.push(client);
    client.send(GOOD_REQUEST);
    expect(await client.next()).toMatchObject({ id: "good", result: { text: "still serving" } });
  });

  it("closes a client that stops reading once its output passes maxBufferedBytes, and sends it no more", async () => {
    const { server, client, connections } = await startServer({ maxBufferedBytes: 64 * 1024 });
    await expectStillServing(client);
    client.pause();
    const connection = connections[0]!;
    const text = "x".repeat(4000);
    let refused = 0;
    // Notifications are not awaited, as the daemon sends activity. Bounded: about 96 MB at most.
    for (let batch = 0; !connection.closed && batch < 1_500; batch += 1) {
      for (let i = 0; i < 16; i += 1) connection.notify(Note, { text }).catch(() => (refused += 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connection.closeInfo?.reason).toBe(
      "WebSocket closed with code 1008: send buffer passed 64 KiB: the client is not reading",
    );
    await expect(connection.notify(Note, { text })).rejects.toMatchObject({
      code: ErrorCodes.ConnectionClosed,
    });
    expect(refused).toBeGreaterThan(0);
    client.resume();
    expect(await client.closed).toBeGreaterThanOrEqual(1006);
    expect(server.connections.size).toBe(0);
  });
});
