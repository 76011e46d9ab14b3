import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { deferred, rejectionOf } from "../../test/fixtures/deferred.js";
import { Add, Echo, Hold, Subscribe, Tick } from "../../test/fixtures/methods.js";
import type { Connection } from "../connection/types.js";
import { ErrorCodes } from "../jsonrpc/error-codes.js";
import { createTokenAuthenticator } from "./auth.js";
import {
  type AcpClient,
  type AcpClientOptions,
  type AcpClientStateChange,
  createAcpClient,
} from "./client.js";
import { AcpConnectError } from "./connect-error.js";
import { type AcpServer, createAcpServer } from "./server.js";

const TOKEN = "client-test-token";
const servers: AcpServer[] = [];
const clients: AcpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server with a Subscribe method and a way to send Tick to every subscriber. */
async function startTickerServer(port = 0) {
  const subscribers = new Set<Connection>();
  const server = createAcpServer({
    authenticate: createTokenAuthenticator(TOKEN),
    heartbeat: false,
    onConnection(connection) {
      connection.onRequest(Subscribe, (_params, context) => {
        subscribers.add(context.connection);
        return { ok: true };
      });
      connection.onRequest(Echo, ({ text }) => ({ text }));
      connection.onRequest(
        Hold,
        (_params, { signal }) =>
          new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      );
      connection.onClose(() => subscribers.delete(connection));
    },
  });
  servers.push(server);
  const address = await server.listen({ port, path: "/acp" });
  return {
    ...address,
    server,
    subscribers,
    broadcast: (n: number) => Promise.all([...subscribers].map((c) => c.notify(Tick, { topic: "tasks", n }))),
  };
}

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function startClient(options: AcpClientOptions) {
  const changes: AcpClientStateChange[] = [];
  const watchers: {
    predicate: (change: AcpClientStateChange) => boolean;
    resolve(change: AcpClientStateChange): void;
  }[] = [];
  const client = createAcpClient({
    heartbeat: false,
    random: () => 0.5,
    ...options,
    onStateChange(change) {
      changes.push(change);
      for (const watcher of [...watchers]) {
        if (watcher.predicate(change)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(change);
        }
      }
    },
  });
  clients.push(client);
  /** Resolves at the next state change that matches. */
  const waitFor = (predicate: (change: AcpClientStateChange) => boolean) =>
    new Promise<AcpClientStateChange>((resolve) => watchers.push({ predicate, resolve }));
  return { client, changes, waitFor, states: () => changes.map((change) => change.state).join(" ") };
}

describe("the reconnecting ACP client", () => {
  it("reconnects with backoff after the server restarts, and its re-established subscription receives again", async () => {
    const first = await startTickerServer();
    const ticks: number[] = [];
    let tickArrived = deferred<number>();
    const onConnectCalls: boolean[] = [];
    const { client, changes, waitFor, states } = startClient({
      url: first.url,
      token: TOKEN,
      reconnect: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 100, jitter: 0.5 },
      async onConnect(connection, { reconnected }) {
        onConnectCalls.push(reconnected);
        await connection.request(Subscribe, { topic: "tasks" });
      },
    });
    client.onNotification(Tick, ({ n }) => {
      ticks.push(n);
      tickArrived.resolve(n);
    });
    client.onRequest(Add, ({ a, b }) => a + b);
    await client.connect();
    await first.broadcast(1);
    expect(await tickArrived.promise).toBe(1);

    const twoFailures = waitFor((change) => change.state === "reconnecting" && change.failedAttempts === 2);
    await first.server.close();
    await twoFailures;
    const reopened = waitFor((change) => change.state === "open");
    const second = await startTickerServer(first.port);
    await reopened;

    tickArrived = deferred<number>();
    await second.broadcast(2);
    expect(await tickArrived.promise).toBe(2);
    expect(ticks).toEqual([1, 2]);
    expect(onConnectCalls).toEqual([false, true]);
    expect(await [...second.subscribers][0]!.request(Add, { a: 40, b: 2 })).toBe(42);
    expect(states()).toMatch(/^connecting open reconnecting (connecting reconnecting )*connecting open$/);
    // The drop and the first failure wait initialDelayMs, then the delay doubles.
    expect(
      changes
        .filter((change) => change.state === "reconnecting")
        .map((change) => change.delayMs)
        .slice(0, 3),
    ).toEqual([5, 5, 10]);
  });

  it("gives up after maxAttempts with an AcpConnectError that says why", async () => {
    const url = `ws://127.0.0.1:${await freePort()}/acp`;
    const { client, states } = startClient({
      url,
      token: TOKEN,
      reconnect: { initialDelayMs: 1, maxAttempts: 3 },
    });
    const error = await rejectionOf(client.connect());
    expect(error).toBeInstanceOf(AcpConnectError);
    expect(error).toMatchObject({ code: "gave_up", attempts: 3, url });
    expect((error as Error).message).toMatch(
      /^Could not connect to .* after 3 attempts; last error: .*ECONNREFUSED/,
    );
    expect(states()).toBe("connecting reconnecting connecting reconnecting connecting closed");
    expect(await rejectionOf(client.request(Echo, { text: "late" }))).toMatchObject({
      code: ErrorCodes.ConnectionClosed,
    });
  });

  it("lets a request made while disconnected wait for the reconnection", async () => {
    const first = await startTickerServer();
    const { client, waitFor } = startClient({
      url: first.url,
      token: TOKEN,
      reconnect: { initialDelayMs: 5 },
    });
    await client.connect();
    const down = waitFor((change) => change.state === "reconnecting");
    await first.server.close();
    await down;
    const answer = client.request(Echo, { text: "patient" }, { timeoutMs: 10_000 });
    await startTickerServer(first.port);
    expect(await answer).toEqual({ text: "patient" });
  });

  it("fails a request that waited for a connection longer than its timeout with Timeout", async () => {
    const first = await startTickerServer();
    const { client, waitFor } = startClient({
      url: first.url,
      token: TOKEN,
      reconnect: { initialDelayMs: 5 },
    });
    await client.connect();
    const down = waitFor((change) => change.state === "reconnecting");
    await first.server.close();
    await down;
    const error = await rejectionOf(client.request(Echo, { text: "impatient" }, { timeoutMs: 30 }));
    expect(error).toMatchObject({ code: ErrorCodes.Timeout });
    expect((error as Error).message).toContain("waited 30 ms for a connection");
  });

  it("rejects a request in flight when the connection drops, without re-sending it", async () => {
    const first = await startTickerServer();
    const { client } = startClient({ url: first.url, token: TOKEN, reconnect: { initialDelayMs: 5 } });
    await client.connect();
    const failed = rejectionOf(client.request(Hold, { key: "in flight" }));
    await client.request(Echo, { text: "the hold has arrived" });
    await first.server.close();
    expect(await failed).toMatchObject({ code: ErrorCodes.ConnectionClosed });
  });

  it("stops reconnecting on close() and fails later requests at once", async () => {
    const first = await startTickerServer();
    const { client, waitFor, states } = startClient({
      url: first.url,
      token: TOKEN,
      reconnect: { initialDelayMs: 5 },
    });
    await client.connect();
    const down = waitFor((change) => change.state === "reconnecting");
    await first.server.close();
    await down;
    await client.close();
    expect(client.state).toBe("closed");
    expect(states()).toMatch(/closed$/);
    expect(await rejectionOf(client.request(Echo, { text: "after close" }))).toMatchObject({
      code: ErrorCodes.ConnectionClosed,
    });
  });

  it("with reconnect off, tries once and reports the lost connection as final", async () => {
    const first = await startTickerServer();
    const { client, waitFor } = startClient({ url: first.url, token: TOKEN, reconnect: false });
    await client.connect();
    const closed = waitFor((change) => change.state === "closed");
    await first.server.close();
    expect((await closed).error?.message).toMatch(/reconnecting is off/);
  });
});
