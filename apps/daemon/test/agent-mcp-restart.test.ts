import { CcaError } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AgentDriver,
  type AgentDriverEvent,
  type AgentDriverEvents,
  type AgentDriverFactory,
  DriverEventEmitter,
  type TurnResult,
} from "../src/agents/agent-driver.js";
import { agentCredentialOf, startTestDaemon, type TestDaemon } from "./support.js";

/** A stand-in for Claude Code whose start the test scripts and whose exit it reports when told. */
class ScriptedDriver implements AgentDriver {
  readonly kind = "headless" as const;
  readonly pid = null;
  readonly sessionId = null;
  readonly busy = false;
  readonly terminal = null;
  exited = false;
  readonly #events = new DriverEventEmitter();
  readonly #start: () => Promise<void>;

  constructor(start: () => Promise<void>) {
    this.#start = start;
  }

  start(): Promise<void> {
    return this.#start();
  }

  async sendTurn(): Promise<TurnResult> {
    throw new CcaError("agent_crashed", "A scripted driver takes no turns");
  }

  async interrupt(): Promise<boolean> {
    return true;
  }

  async stop(): Promise<void> {
    this.exit(0);
  }

  /** The process ends, as Claude Code's would: once. */
  exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.#events.emit("state", "exited");
    this.#events.emit("exit", { code, signal: null, stderrTail: "" });
  }

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    return this.#events.on(event, listener);
  }
}

/** A request to the agents' MCP endpoint, as Claude Code sends one. */
const mcpRequest = (authorization: string, body: unknown, sessionId?: string, method = "POST") =>
  fetch(`${t.daemon.url}/agent-mcp`, {
    method,
    headers: {
      authorization,
      accept: "application/json, text/event-stream",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(sessionId ? { "mcp-session-id": sessionId } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const LIST_TOOLS = { jsonrpc: "2.0", id: 2, method: "tools/list" };

/** The session the failed resume opened with its credential, and the stream it keeps open on it. */
interface OpenedSession {
  credential: string;
  sessionId: string;
  stream: ReadableStreamDefaultReader<Uint8Array>;
}

/**
 * Drivers for one agent's crash and restart: its first process starts; the restart resuming
 * its conversation connects to its bridge (a session and its stream) and then fails to start,
 * its exit told only when the test says; the restart in a new conversation starts.
 */
function crashAndRestart() {
  const drivers: ScriptedDriver[] = [];
  let resumed: OpenedSession | undefined;
  let restarted: (session: OpenedSession) => void = () => {};
  const restartedAfresh = new Promise<OpenedSession>((resolve) => {
    restarted = resolve;
  });
  const createDriver: AgentDriverFactory = (launch) => {
    const launchIndex = drivers.length;
    const driver = new ScriptedDriver(async () => {
      if (launchIndex === 2) restarted(resumed!);
      if (launchIndex !== 1) return;
      const credential = agentCredentialOf(t.home, launch.agentId);
      const opened = await mcpRequest(`Bearer ${credential}`, INITIALIZE);
      const sessionId = opened.headers.get("mcp-session-id")!;
      await opened.body?.cancel();
      const stream = await mcpRequest(`Bearer ${credential}`, undefined, sessionId, "GET");
      expect(stream.status).toBe(200);
      resumed = { credential, sessionId, stream: stream.body!.getReader() };
      throw new CcaError("agent_spawn_failed", "The scripted resume does not start");
    });
    drivers.push(driver);
    return driver;
  };
  return { drivers, createDriver, restartedAfresh };
}

let t: TestDaemon;
let restart: ReturnType<typeof crashAndRestart>;
beforeEach(async () => {
  restart = crashAndRestart();
  t = await startTestDaemon({
    createDriver: restart.createDriver,
    config: { agents: { restart_backoff_ms: 5, restart_backoff_max_ms: 20 } },
  });
});
afterEach(async () => {
  await t.close();
  // The failed resume's process, if a test left it running.
  for (const driver of restart.drivers) driver.exit(0);
});

describe("an agent restarted with a new credential", () => {
  it("leaves no MCP session of its earlier credential open, nor usable with its new one", async () => {
    const agent = await t.client.spawnAgent("backend");
    restart.drivers[0]!.exit(3);
    const { credential, sessionId, stream } = await restart.restartedAfresh;
    const current = agentCredentialOf(t.home, agent.id);
    expect(current).not.toBe(credential);

    const withEnded = await mcpRequest(`Bearer ${credential}`, LIST_TOOLS, sessionId);
    expect(withEnded.status).toBe(401);
    const withCurrent = await mcpRequest(`Bearer ${current}`, LIST_TOOLS, sessionId);
    expect(withCurrent.status).toBe(404);
    expect(((await withCurrent.json()) as { error: { message: string } }).error.message).toContain(
      `No MCP session ${sessionId}`,
    );

    // The failed resume's process is gone at last: its session, and the stream on it, end.
    restart.drivers[1]!.exit(1);
    for (let chunk = await stream.read(); !chunk.done; chunk = await stream.read()) {}
  });
});
