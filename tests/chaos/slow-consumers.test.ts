import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { readSseEvents } from "@cca/core";
import { createMockAnthropic, type MockAnthropic } from "@cca/mock-anthropic";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CcadProcess, eventually, startCcad } from "../support/ccad-process.js";

// Clients that stop reading must not grow the real ccad's memory or take it down: an ACP
// client subscribed to everything is closed with 1008 once its unsent output passes
// acp.max_buffered_bytes, an SSE client that falls more than daemon.max_event_backlog
// events behind is dropped, and streams beyond daemon.max_event_streams are refused.
// The non-readers are tests/chaos/fixtures/stalled-reader.py: Node cannot shrink a
// socket's receive buffer, and without that the kernel would take megabytes first.

const STALLED_READER = fileURLToPath(new URL("./fixtures/stalled-reader.py", import.meta.url));
const LIMITS = {
  CCA__ACP__MAX_BUFFERED_BYTES: "65536",
  CCA__DAEMON__MAX_EVENT_BACKLOG: "10",
  CCA__DAEMON__MAX_EVENT_STREAMS: "2",
};
/** Most tasks a flood posts before it gives up waiting for the daemon to react. */
const MAX_FLOOD_TASKS = 5_000;
/** A generous bound on what the daemon may grow by: it must not hold what nobody reads. */
const MAX_RSS_GROWTH_KIB = 200 * 1024;
/** Activity summaries keep 100 characters of a description; a longer one only costs more. */
const DESCRIPTION = `slow consumer flood ${"x".repeat(80)}`;

interface StalledReader {
  /** Resolves once connected (and, for ACP, subscribed), with the client's local port. */
  ready: Promise<{ status: number; port: number }>;
  /** Makes it read: until the connection ends, or with `untilEvent` until one event came. */
  read(): void;
  /** What it found once it read. */
  result: Promise<Record<string, unknown>>;
  child: ChildProcess;
}

let mock: MockAnthropic;
let ccad: CcadProcess;
const readers: StalledReader[] = [];

beforeAll(() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "python3 is needed for the slow-consumer tests (a client with a tiny receive buffer): apt-get install python3",
    );
  }
});
beforeEach(async () => {
  mock = await createMockAnthropic();
  // The flood's tasks queue behind one that never ends: activity without Claude Code work.
  mock.on({ when: () => true, reply: { hang: true } });
  ccad = await startCcad({ mockUrl: mock.url, env: LIMITS });
});
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.child.kill("SIGKILL");
  await ccad.stop();
  await mock.close();
});

function startStalledReader(kind: "acp" | "sse", options: { untilEvent?: boolean } = {}): StalledReader {
  const url = kind === "acp" ? `${ccad.url.replace(/^http/, "ws")}/acp` : `${ccad.url}/api/v1/events`;
  const child = spawn(
    "python3",
    [STALLED_READER, kind, url, ...(options.untilEvent ? ["--until-event"] : [])],
    { env: { PATH: process.env.PATH ?? "", CCA_TOKEN: ccad.token }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const messages: Record<string, Record<string, unknown>> = {};
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout! }).on("line", (text) => {
    for (const [key, message] of Object.entries(JSON.parse(text) as typeof messages)) {
      messages[key] = message;
      waiting.get(key)?.(message);
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = (key: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.set(key, resolve);
      void exited.then(() =>
        messages[key]
          ? resolve(messages[key])
          : reject(new Error(`stalled-reader.py ${kind} ended without "${key}": ${stderr}`)),
      );
    });
  const result = line("result");
  // Only the tests that make it read wait for it; a reader killed first is no failure.
  result.catch(() => {});
  const reader: StalledReader = {
    ready: line("ready") as Promise<{ status: number; port: number }>,
    read: () => child.stdin!.end("read\n"),
    result,
    child,
  };
  readers.push(reader);
  return reader;
}

/**
 * Posts tasks, `parallel` at a time, until the daemon has logged `pattern`; resolves with
 * how many. One at a time, each event is written before the next comes, so a stream falls
 * behind only when its client does not read, not because a burst came faster than a write.
 */
async function floodUntil(pattern: RegExp, parallel: number): Promise<number> {
  let posted = 0;
  while (!pattern.test(ccad.logs())) {
    if (posted >= MAX_FLOOD_TASKS) {
      throw new Error(`the daemon never logged ${pattern} after ${posted} tasks:\n${ccad.logs()}`);
    }
    await Promise.all(
      Array.from({ length: parallel }, () => ccad.client.createTask({ description: DESCRIPTION })),
    );
    posted += parallel;
  }
  return posted;
}

/**
 * Whether the daemon still holds its end of the connection to the client at `clientPort`
 * open (ESTABLISHED in /proc/net/tcp). Once the daemon lets go, its end is closing
 * (FIN_WAIT1 while the kernel still holds what the client has not read) or gone, which the
 * client cannot see until it reads.
 */
function daemonHoldsConnection(clientPort: number): boolean {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  const local = `0100007F:${hex(Number(new URL(ccad.url).port))}`;
  const remote = `0100007F:${hex(clientPort)}`;
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .map((row) => row.trim().split(/\s+/))
    .some(([, from, to, state]) => from === local && to === remote && state === "01");
}

function residentKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** The daemon answers, did not grow by more than the bound, and serves new clients. */
async function expectHealthy(rssBeforeKiB: number): Promise<void> {
  expect(await ccad.client.health()).toMatchObject({ status: "ok" });
  expect(residentKiB(ccad.child.pid!) - rssBeforeKiB).toBeLessThan(MAX_RSS_GROWTH_KIB);

  const acp = startStalledReader("acp", { untilEvent: true });
  await acp.ready;
  acp.read();
  // As many streams as daemon.max_event_streams allows: a dropped client holds no slot.
  const closing = new AbortController();
  const streams = [await openEventStream(closing.signal), await openEventStream(closing.signal)];
  expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
  const task = await ccad.client.createTask({ description: "after the slow consumers" });
  expect(await acp.result).toMatchObject({ ending: "complete", close: null });
  expect((await acp.result).notifications).toBeGreaterThan(0);
  let seen = false;
  for await (const event of readSseEvents(streams[0]!.body!, AbortSignal.timeout(10_000))) {
    seen = event.event === "activity" && (JSON.parse(event.data) as { task_id: string }).task_id === task.id;
    if (seen) break;
  }
  expect(seen, "the fresh event stream got the new task's event").toBe(true);
  closing.abort();
}

function openEventStream(signal?: AbortSignal): Promise<Response> {
  return fetch(`${ccad.url}/api/v1/events`, {
    headers: { authorization: `Bearer ${ccad.token}` },
    signal,
  });
}

describe("an ACP client that subscribes to everything and never reads", () => {
  it("is closed with 1008 and a reason naming the limit, and the daemon stays healthy", async () => {
    const stalled = startStalledReader("acp");
    await stalled.ready;
    const rssBefore = residentKiB(ccad.child.pid!);

    const posted = await floodUntil(/send buffer passed 64 KiB/, 20);
    // The close frame waits behind what the client left unread; it takes it now.
    stalled.read();
    const result = await stalled.result;
    expect(result, `after ${posted} tasks`).toMatchObject({
      ending: "complete",
      close: { code: 1008, reason: "send buffer passed 64 KiB: the client is not reading" },
    });
    expect(ccad.logs()).toMatch(
      /ACP transport error error="Closing the WebSocket: send buffer passed 64 KiB/,
    );

    await expectHealthy(rssBefore);
  });
});

describe("an SSE client that never reads", () => {
  it("is cut off: once the daemon gives up on it, its connection ends", async () => {
    const stalled = startStalledReader("sse");
    const { status, port } = await stalled.ready;
    expect(status).toBe(200);
    expect(daemonHoldsConnection(port)).toBe(true);
    const rssBefore = residentKiB(ccad.child.pid!);

    await floodUntil(/dropped an event stream client that fell behind/, 1);
    // Within the grace a dropped client gets to take its final event (5 s): what was left
    // either fitted in the kernel's buffers, or the daemon cut the connection.
    await eventually(() => !daemonHoldsConnection(port), 15_000);
    stalled.read();
    const result = await stalled.result;
    expect(result.ending).not.toBe("timeout");

    await expectHealthy(rssBefore);
  });

  it("that reads again once dropped finds a last event: error naming daemon.max_event_backlog", async () => {
    const stalled = startStalledReader("sse");
    expect(await stalled.ready).toMatchObject({ status: 200 });

    await floodUntil(/dropped an event stream client that fell behind/, 1);
    stalled.read();
    const result = (await stalled.result) as { ending: string; last: { event: string; data: string } };
    expect(result).toMatchObject({ ending: "complete", body_complete: true, last: { event: "error" } });
    expect(JSON.parse(result.last.data)).toMatchObject({
      reason: expect.stringMatching(/fell more than 10 events behind \(daemon\.max_event_backlog\)/),
    });
  });
});

describe("event streams beyond daemon.max_event_streams", () => {
  it("are refused with 503 and a too_many_streams error naming the limit", async () => {
    const open = () => openEventStream();
    const held = [await open(), await open()];
    expect(held.map((response) => response.status)).toEqual([200, 200]);
    const refused = await open();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toEqual({
      error: {
        code: "too_many_streams",
        message: expect.stringMatching(
          /^2 event streams are open already, the most daemon\.max_event_streams/,
        ),
        details: { max_streams: 2 },
      },
    });
    await held[0]!.body!.cancel();
    await eventually(async () => {
      const again = await open();
      held.push(again);
      return again.status === 200;
    });
    for (const response of held) await response.body?.cancel().catch(() => {});
  });
});
