import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type Connection,
  type ConnectionOptions,
  ErrorCodes,
  PingRequest,
  type RequestHandler,
  RpcError,
} from "../src/index.js";
import { type Deferred, deferred, rejectionOf } from "./fixtures/deferred.js";
import { Add, Brittle, Crash, Echo, Fail, Greet, Hold, Liar, Note } from "./fixtures/methods.js";

/** Options of one linked pair of connections. Heartbeats are off unless given. */
export interface PairOptions {
  setupServer?: (connection: Connection) => void;
  setupClient?: (connection: Connection) => void;
  server?: ConnectionOptions;
  client?: ConnectionOptions;
  /** Sees every frame the client sends. */
  tapClientSend?: (frame: string) => void;
}

/** What a transport provides to run the shared connection suite. */
export interface ConnectionHarness {
  /** Two started connections linked by the transport under test. */
  pair(options?: PairOptions): Promise<{ client: Connection; server: Connection }>;
  /** A started connection whose peer reads every frame and answers none. */
  silentPeer(options: ConnectionOptions): Promise<Connection>;
  /** Closes everything the harness opened. */
  cleanup(): Promise<void>;
}

interface HeldRequest {
  started: Deferred<void>;
  aborted: Deferred<unknown>;
  release: Deferred<string>;
}

/** The fixture handlers of test/fixtures/methods.ts, and what they observed. */
export function serveFixtures(connection: Connection) {
  const held = new Map<string, HeldRequest>();
  const notes: string[] = [];
  const heldKeys: string[] = [];
  const noteArrived = deferred<string>();
  const hold = (key: string): HeldRequest => {
    let entry = held.get(key);
    if (!entry) {
      entry = { started: deferred(), aborted: deferred(), release: deferred() };
      held.set(key, entry);
    }
    return entry;
  };
  connection.onRequest(Echo, ({ text }) => ({ text }));
  connection.onRequest(Add, ({ a, b }) => a + b);
  connection.onRequest(Greet, ({ name }) => `hello ${name}`);
  connection.onRequest(Brittle, ({ n }) => n);
  connection.onRequest(Hold, ({ key }, { signal }) => {
    const entry = hold(key);
    heldKeys.push(key);
    entry.started.resolve();
    signal.addEventListener("abort", () => entry.aborted.resolve(signal.reason), { once: true });
    return entry.release.promise;
  });
  connection.onRequest(Fail, ({ code }) => {
    throw new RpcError(code, "the fixture failed on purpose", { data: { hint: "none" } });
  });
  connection.onRequest(Crash, () => {
    throw new Error("the fixture crashed");
  });
  connection.onRequest(Liar, (() => "not a number") as unknown as RequestHandler<object, number>);
  connection.onNotification(Note, ({ text }) => {
    notes.push(text);
    noteArrived.resolve(text);
  });
  return { hold, heldKeys, notes, noteArrived: noteArrived.promise };
}

/** The Connection behaviours every transport must show. */
export function runConnectionSuite(createHarness: () => ConnectionHarness): void {
  let harness: ConnectionHarness;
  let fixtures: ReturnType<typeof serveFixtures>;

  beforeEach(() => {
    harness = createHarness();
  });

  afterEach(async () => {
    await harness.cleanup();
  });

  async function connect(options: Omit<PairOptions, "setupServer"> = {}) {
    return harness.pair({
      ...options,
      setupServer: (connection) => {
        fixtures = serveFixtures(connection);
      },
    });
  }

  describe("requests", () => {
    it("answers a request with the handler's typed result", async () => {
      const { client } = await connect();
      const sum = client.request(Add, { a: 2, b: 3 });
      expectTypeOf(sum).toEqualTypeOf<Promise<number>>();
      expect(await sum).toBe(5);
    });

    it("correlates 200 concurrent requests by id", async () => {
      const { client } = await connect();
      const texts = Array.from({ length: 200 }, (_, index) => `message ${index}`);
      const replies = await Promise.all(texts.map((text) => client.request(Echo, { text })));
      expect(replies.map((reply) => reply.text)).toEqual(texts);
    });

    it("applies the params schema's defaults before the handler sees the params", async () => {
      const { client } = await connect();
      expect(await client.request(Greet, {})).toBe("hello world");
    });

    it("rejects params that fail the schema with InvalidParams and the zod issues", async () => {
      const { client } = await connect();
      const error = await rejectionOf(
        client.request(Add, { a: 1, b: "two" } as unknown as { a: number; b: number }),
      );
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { method: "test/add" } });
      expect((error as RpcError<{ issues: { path: string[] }[] }>).data?.issues[0]?.path).toEqual(["b"]);
    });

    it("answers InvalidParams, and keeps serving, when the params schema itself throws", async () => {
      const { client } = await connect();
      const error = (await rejectionOf(client.request(Brittle, { n: -1 }))) as RpcError;
      expect(error).toMatchObject({ code: ErrorCodes.InvalidParams });
      expect(error.message).toContain("negative numbers break this schema");
      expect(await client.request(Brittle, { n: 2 })).toBe(2);
    });

    it("rejects an unknown method with MethodNotFound", async () => {
      const { server, client } = await harness.pair();
      expect(server.closed).toBe(false);
      const error = await rejectionOf(client.request(Echo, { text: "anyone?" }));
      expect(error).toMatchObject({
        code: ErrorCodes.MethodNotFound,
        message: 'Method "test/echo" not found',
      });
    });

    it("passes an RpcError thrown by a handler to the caller with its code, message and data", async () => {
      const { client } = await connect();
      const error = await rejectionOf(client.request(Fail, { code: ErrorCodes.Unauthorized }));
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({
        code: ErrorCodes.Unauthorized,
        message: "the fixture failed on purpose",
        data: { hint: "none" },
      });
    });

    it("turns any other throw into InternalError with the message and no stack", async () => {
      const { client } = await connect();
      const error = (await rejectionOf(client.request(Crash, {}))) as RpcError;
      expect(error).toMatchObject({ code: ErrorCodes.InternalError, message: "the fixture crashed" });
      expect(JSON.stringify(error.data)).not.toContain("at ");
    });

    it("rejects a result that fails the result schema with InvalidResult", async () => {
      const { client } = await connect();
      const error = await rejectionOf(client.request(Liar, {}));
      expect(error).toMatchObject({ code: ErrorCodes.InvalidResult });
    });

    it("lets either side call the other", async () => {
      const { client, server } = await harness.pair({
        setupClient: (connection) => connection.onRequest(Add, ({ a, b }) => a * 10 + b),
      });
      expect(await server.request(Add, { a: 4, b: 2 })).toBe(42);
      expect(client.closed).toBe(false);
    });

    it("answers Overloaded when more requests run than maxInFlightRequests", async () => {
      const { client } = await connect({ server: { maxInFlightRequests: 1 } });
      const first = client.request(Hold, { key: "one" });
      await fixtures.hold("one").started.promise;
      const error = await rejectionOf(client.request(Echo, { text: "too many" }));
      expect(error).toMatchObject({ code: ErrorCodes.Overloaded });
      fixtures.hold("one").release.resolve("done");
      expect(await first).toBe("done");
      expect(await client.request(Echo, { text: "now" })).toEqual({ text: "now" });
    });
  });

  describe("notifications", () => {
    it("delivers a notification to its handler with typed params", async () => {
      const { client } = await connect();
      await client.notify(Note, { text: "hi" });
      expect(await fixtures.noteArrived).toBe("hi");
    });

    it("drops a notification whose params fail the schema, without a reply", async () => {
      const { client } = await connect();
      await client.notify(Note, { text: 5 } as unknown as { text: string });
      await client.notify(Note, { text: "valid" });
      expect(await fixtures.noteArrived).toBe("valid");
      expect(fixtures.notes).toEqual(["valid"]);
    });
  });

  describe("timeouts and cancellation", () => {
    it("rejects with Timeout after timeoutMs and cancels the handler on the peer", async () => {
      const { client } = await connect({ client: { requestTimeoutMs: 60_000 } });
      const error = await rejectionOf(client.request(Hold, { key: "slow" }, { timeoutMs: 20 }));
      expect(error).toMatchObject({ code: ErrorCodes.Timeout, data: { method: "test/hold", timeoutMs: 20 } });
      expect(await fixtures.hold("slow").aborted.promise).toMatchObject({ code: ErrorCodes.Cancelled });
    });

    it("uses the connection's default timeout when the call gives none", async () => {
      const { client } = await connect({ client: { requestTimeoutMs: 15 } });
      const error = await rejectionOf(client.request(Hold, { key: "default" }));
      expect(error).toMatchObject({ code: ErrorCodes.Timeout, data: { timeoutMs: 15 } });
    });

    it("cancels a request by AbortSignal: the caller gets Cancelled and the handler's signal aborts", async () => {
      const { client } = await connect();
      const controller = new AbortController();
      const failed = rejectionOf(client.request(Hold, { key: "cancel me" }, { signal: controller.signal }));
      await fixtures.hold("cancel me").started.promise;
      controller.abort();
      expect(await failed).toMatchObject({ code: ErrorCodes.Cancelled });
      expect(await fixtures.hold("cancel me").aborted.promise).toMatchObject({ code: ErrorCodes.Cancelled });
      expect(await client.request(Echo, { text: "still here" })).toEqual({ text: "still here" });
    });

    it("does not send a request whose signal is already aborted", async () => {
      const { client } = await connect();
      const error = await rejectionOf(
        client.request(Hold, { key: "never" }, { signal: AbortSignal.abort() }),
      );
      expect(error).toMatchObject({ code: ErrorCodes.Cancelled });
      // Frames are handled in order, so once this is answered a Hold sent before it would have started.
      await client.request(Echo, { text: "sync point" });
      expect(fixtures.heldKeys).toEqual([]);
    });
  });

  describe("closing", () => {
    it("rejects pending requests with ConnectionClosed when this side closes", async () => {
      const { client } = await connect();
      const failed = rejectionOf(client.request(Hold, { key: "pending" }));
      await fixtures.hold("pending").started.promise;
      await client.close("test is done");
      const error = await failed;
      expect(error).toMatchObject({ code: ErrorCodes.ConnectionClosed });
      expect((error as Error).message).toContain("test is done");
    });

    it("rejects pending requests and aborts running handlers when the peer closes", async () => {
      const { client, server } = await connect();
      const closed = deferred<unknown>();
      client.onClose((info) => closed.resolve(info));
      const failed = rejectionOf(client.request(Hold, { key: "orphan" }));
      await fixtures.hold("orphan").started.promise;
      await server.close("server going away");
      expect(await failed).toMatchObject({ code: ErrorCodes.ConnectionClosed });
      expect(await closed.promise).toMatchObject({ origin: "remote" });
      expect(await fixtures.hold("orphan").aborted.promise).toMatchObject({
        code: ErrorCodes.ConnectionClosed,
      });
    });

    it("rejects requests and notifications made after close", async () => {
      const { client } = await connect();
      await client.close();
      expect(await rejectionOf(client.request(Echo, { text: "late" }))).toMatchObject({
        code: ErrorCodes.ConnectionClosed,
      });
      expect(await rejectionOf(client.notify(Note, { text: "late" }))).toMatchObject({
        code: ErrorCodes.ConnectionClosed,
      });
    });
  });

  describe("heartbeats", () => {
    it("closes the connection when the peer answers no pings", async () => {
      const connection = await harness.silentPeer({ heartbeat: { intervalMs: 10, maxMissed: 2 } });
      const closed = deferred<unknown>();
      connection.onClose((info) => closed.resolve(info));
      const info = await closed.promise;
      expect(info).toMatchObject({ origin: "heartbeat" });
      expect((info as { reason: string }).reason).toContain("none of 2 $/ping requests");
    });

    it("keeps a connection whose peer answers pings open", async () => {
      // With maxMissed 1 a ping is sent only after the previous one was answered, so five pings
      // sent means four answered; an unanswered one would have closed the connection.
      const fivePings = deferred();
      let pings = 0;
      const { client } = await connect({
        client: { heartbeat: { intervalMs: 5, maxMissed: 1 } },
        tapClientSend: (frame) => {
          if (frame.includes('"$/ping"') && ++pings === 5) fivePings.resolve();
        },
      });
      await fivePings.promise;
      expect(client.closed).toBe(false);
      expect(await client.request(Echo, { text: "alive" })).toEqual({ text: "alive" });
    });
  });

  describe("frame size", () => {
    it("answers an oversized request with FrameTooLarge and keeps serving", async () => {
      const { client } = await connect({ server: { maxFrameBytes: 2048 } });
      const error = await rejectionOf(client.request(Echo, { text: "x".repeat(5000) }));
      expect(error).toMatchObject({ code: ErrorCodes.FrameTooLarge, data: { maxFrameBytes: 2048 } });
      expect(await client.request(Echo, { text: "small" })).toEqual({ text: "small" });
    });

    it("counts the limit in UTF-8 bytes, not characters", async () => {
      const { client } = await connect({ server: { maxFrameBytes: 2048 } });
      // 1000 characters, 3000 bytes.
      const error = await rejectionOf(client.request(Echo, { text: "€".repeat(1000) }));
      expect(error).toMatchObject({ code: ErrorCodes.FrameTooLarge });
    });
  });

  describe("handler registration", () => {
    it("refuses a second handler for the same method and reserved method names", async () => {
      const { server } = await connect();
      expect(() => server.onRequest(Echo, ({ text }) => ({ text }))).toThrow(/already registered/);
      expect(() => server.onNotification(Note, () => {})).toThrow(/already registered/);
      expect(() => server.onRequest(PingRequest, () => ({}))).toThrow(/reserved/);
    });

    it("removes a handler with the function onRequest returned", async () => {
      let unregister = () => {};
      const { client } = await harness.pair({
        setupServer: (connection) => {
          unregister = connection.onRequest(Echo, ({ text }) => ({ text }));
        },
      });
      expect(await client.request(Echo, { text: "a" })).toEqual({ text: "a" });
      unregister();
      expect(await rejectionOf(client.request(Echo, { text: "b" }))).toMatchObject({
        code: ErrorCodes.MethodNotFound,
      });
    });
  });
}
