/**
 * ACP round trips and notifications against a bare `ws` echo, measured in one run over
 * loopback, with the same frame sizes. Client and server share this process, for both.
 *
 *   node --import tsx bench/acp-vs-ws.ts      (or: pnpm bench)
 *
 * The bare echo is the floor: its client sends a string as long as the ACP request frame
 * and matches replies to sends in FIFO order, with no JSON at all. ACP adds JSON
 * encode/parse, params and result validation (zod), id correlation and timeout timers.
 * The ACP WebSocket transport corks each tick's writes into one system call; the
 * "corked" bare echo does the same, so the ratio against it is the protocol's own cost.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import WebSocket, { WebSocketServer } from "ws";
import { z } from "zod";
import {
  createConnection,
  createInMemoryTransportPair,
  defineNotification,
  defineRequest,
} from "../src/index.js";
import { connectAcpClient, createAcpServer } from "../src/ws/index.js";

const Echo = defineRequest("bench/echo", z.object({ text: z.string() }), z.object({ text: z.string() }));
const Note = defineNotification("bench/note", z.object({ text: z.string() }));

const PAYLOAD = "x".repeat(100);
const REQUEST_FRAME = JSON.stringify({
  jsonrpc: "2.0",
  id: 12345,
  method: Echo.method,
  params: { text: PAYLOAD },
});
const ROUNDS: [inFlight: number, total: number][] = [
  [1, 5_000],
  [100, 50_000],
  [1000, 100_000],
];
const NOTIFICATIONS = 200_000;
const WARMUP = 5_000;

interface Sample {
  latencies: number[];
  seconds: number;
}

/** Runs `total` calls of `call`, keeping `inFlight` outstanding, and records each latency in ms. */
async function closedLoop(call: () => Promise<unknown>, inFlight: number, total: number): Promise<Sample> {
  const latencies: number[] = [];
  let started = 0;
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      started += 1;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { latencies, seconds: (performance.now() - begin) / 1000 };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summary(sample: Sample) {
  const sorted = [...sample.latencies].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    perSecond: sorted.length / sample.seconds,
  };
}

/** Corks a ws socket's TCP socket until the next tick, as the ACP WebSocket transport does. */
function corkUntilNextTick(socket: WebSocket): void {
  const tcp = (socket as unknown as { _socket?: { cork(): void; uncork(): void; writableCorked: number } })
    ._socket;
  if (!tcp || tcp.writableCorked > 0) return;
  tcp.cork();
  process.nextTick(() => tcp.uncork());
}

/** A bare ws echo server and a FIFO-correlated client; `corked` batches each tick's writes like ACP does. */
async function startBareEcho(corked: boolean) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await once(server, "listening");
  let notesSeen = 0;
  let onNotes = () => {};
  server.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        notesSeen += 1;
        if (notesSeen === NOTIFICATIONS) onNotes();
        return;
      }
      if (corked) corkUntilNextTick(socket);
      socket.send(data, { binary: false });
    });
  });
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await once(client, "open");
  const waiting: (() => void)[] = [];
  let head = 0;
  client.on("message", () => {
    const resolve = waiting[head];
    waiting[head] = () => {};
    head += 1;
    if (head > 4096 && head * 2 > waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    resolve?.();
  });
  return {
    call: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (corked) corkUntilNextTick(client);
        client.send(REQUEST_FRAME);
      }),
    /** Sends NOTIFICATIONS one-way frames (binary, so the server tells them from echo requests). */
    async notifications(): Promise<number> {
      notesSeen = 0;
      const done = new Promise<void>((resolve) => {
        onNotes = resolve;
      });
      const frame = Buffer.from(
        JSON.stringify({ jsonrpc: "2.0", method: Note.method, params: { text: PAYLOAD } }),
      );
      const begin = performance.now();
      for (let sent = 0; sent < NOTIFICATIONS; sent += 1000) {
        await Promise.all(
          Array.from(
            { length: 1000 },
            () => new Promise<void>((resolve) => client.send(frame, { binary: true }, () => resolve())),
          ),
        );
      }
      await done;
      return NOTIFICATIONS / ((performance.now() - begin) / 1000);
    },
    async close() {
      client.terminate();
      server.close();
    },
  };
}

/** An ACP server and a connected client (the real API, defaults included). */
async function startAcp() {
  let notesSeen = 0;
  let onNotes = () => {};
  const server = createAcpServer({
    authenticate: () => "bench",
    onConnection(connection) {
      connection.onRequest(Echo, ({ text }) => ({ text }));
      connection.onNotification(Note, () => {
        notesSeen += 1;
        if (notesSeen === NOTIFICATIONS) onNotes();
      });
    },
  });
  const { url } = await server.listen({ port: 0 });
  const client = await connectAcpClient({ url, token: "bench" });
  return {
    call: () => client.request(Echo, { text: PAYLOAD }),
    async notifications(): Promise<number> {
      notesSeen = 0;
      const done = new Promise<void>((resolve) => {
        onNotes = resolve;
      });
      const begin = performance.now();
      for (let sent = 0; sent < NOTIFICATIONS; sent += 1000) {
        await Promise.all(Array.from({ length: 1000 }, () => client.notify(Note, { text: PAYLOAD })));
      }
      await done;
      return NOTIFICATIONS / ((performance.now() - begin) / 1000);
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** ACP over the in-memory pair: the protocol's cost without sockets. */
async function startInMemory() {
  const [clientSide, serverSide] = createInMemoryTransportPair();
  const server = createConnection(serverSide);
  server.onRequest(Echo, ({ text }) => ({ text }));
  const client = createConnection(clientSide);
  await Promise.all([server.start(), client.start()]);
  return { call: () => client.request(Echo, { text: PAYLOAD }), close: () => client.close() };
}

const fmt = (value: number, digits = 3) => value.toFixed(digits).padStart(9);
const line = (cells: string[]) => console.log(cells.join(" "));

async function main(): Promise<void> {
  const bare = await startBareEcho(false);
  const bareCorked = await startBareEcho(true);
  const acp = await startAcp();
  const memory = await startInMemory();
  for (const target of [bare, bareCorked, acp, memory]) await closedLoop(target.call, 100, WARMUP);

  console.log(
    `ACP vs bare ws echo, loopback, request frame ${REQUEST_FRAME.length} bytes, Node ${process.version}\n`,
  );
  line([
    "round trip".padEnd(24),
    "in flight".padStart(9),
    "n".padStart(7),
    "p50 ms".padStart(9),
    "p99 ms".padStart(9),
    "req/s".padStart(9),
  ]);
  for (const [inFlight, total] of ROUNDS) {
    const results = [
      ["bare ws echo", summary(await closedLoop(bare.call, inFlight, total))],
      ["bare ws echo, corked", summary(await closedLoop(bareCorked.call, inFlight, total))],
      ["ACP request (ws)", summary(await closedLoop(acp.call, inFlight, total))],
      ["ACP request (in-memory)", summary(await closedLoop(memory.call, inFlight, total))],
    ] as const;
    for (const [name, result] of results) {
      line([
        name.padEnd(24),
        String(inFlight).padStart(9),
        String(total).padStart(7),
        fmt(result.p50),
        fmt(result.p99),
        fmt(result.perSecond, 0),
      ]);
    }
    const acpResult = results[2][1];
    for (const [name, baseline] of [
      ["ratio ACP/bare", results[0][1]],
      ["ratio ACP/bare corked", results[1][1]],
    ] as const) {
      line([
        name.padEnd(24),
        String(inFlight).padStart(9),
        "".padStart(7),
        fmt(acpResult.p50 / baseline.p50, 2),
        fmt(acpResult.p99 / baseline.p99, 2),
        fmt(acpResult.perSecond / baseline.perSecond, 2),
      ]);
    }
  }

  const bareNotes = await bare.notifications();
  const acpNotes = await acp.notifications();
  console.log(`\nnotifications (${NOTIFICATIONS}, sent 1000 at a time)`);
  line(["bare ws one-way frames".padEnd(24), `${fmt(bareNotes, 0)} msg/s`]);
  line(["ACP notify".padEnd(24), `${fmt(acpNotes, 0)} msg/s`]);
  line(["ratio ACP/ws".padEnd(24), `${fmt(acpNotes / bareNotes, 2)}`]);

  await Promise.all([bare.close(), bareCorked.close(), acp.close(), memory.close()]);
}

await main();
