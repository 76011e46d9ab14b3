import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentDriverEvents, DriverState, ExitInfo } from "../agent-driver.js";
import { HeadlessDriver } from "./headless.js";

const FAKE_CLAUDE = fileURLToPath(new URL("../../../test/fixtures/fake-claude.mjs", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server the fake's lingering child connects to: its socket closes when that child dies. */
async function childWatch(): Promise<{ port: number; child: Promise<{ pid: number; gone: Promise<void> }> }> {
  const server: Server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => void server.close());
  const child = once(server, "connection").then(async ([socket]) => {
    const gone = once(socket as Socket, "close").then(() => undefined);
    const [data] = (await once(socket as Socket, "data")) as [Buffer];
    return { pid: Number(String(data)), gone };
  });
  return { port: (server.address() as AddressInfo).port, child };
}

function createSession(env: NodeJS.ProcessEnv = {}, logger?: Logger): HeadlessDriver {
  const cwd = mkdtempSync(join(tmpdir(), "cca-session-"));
  const session = new HeadlessDriver({
    claudePath: FAKE_CLAUDE,
    args: [],
    cwd,
    env: { ...process.env, ...env },
    startupTimeoutMs: 5_000,
    logger,
  });
  cleanups.push(async () => {
    const pid = session.pid;
    if (pid && !session.exited) process.kill(pid, "SIGCONT");
    await session.stop(100);
    rmSync(cwd, { recursive: true, force: true });
  });
  return session;
}

async function startSession(env: NodeJS.ProcessEnv = {}, logger?: Logger): Promise<HeadlessDriver> {
  const session = createSession(env, logger);
  await session.start();
  return session;
}

function exitOf(session: HeadlessDriver): Promise<ExitInfo> {
  return new Promise((resolve) => session.on("exit", resolve));
}

/** Every event of the driver, in order, as [name, payload]. */
function recordEvents(session: HeadlessDriver): [keyof AgentDriverEvents, unknown][] {
  const events: [keyof AgentDriverEvents, unknown][] = [];
  for (const name of ["text", "toolUse", "toolResult", "usage", "apiRetry", "state", "exit"] as const) {
    session.on(name, (payload: unknown) => events.push([name, payload]));
  }
  return events;
}

/** Whether a process of ours is gone: signal 0 fails with ESRCH once it has been reaped. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** `promise`'s value, or "still waiting" if it takes longer than `ms` (a generous bound, not a timing check). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "still waiting"> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<"still waiting">((resolve) => {
    timer = setTimeout(() => resolve("still waiting"), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe("HeadlessDriver", () => {
  it("reports a turn's tool use, text, usage and states as events, and resolves with its result", async () => {
    const session = createSession();
    const events = recordEvents(session);
    await session.start();
    const result = await session.sendTurn("tool");
    expect(result).toMatchObject({
      isError: false,
      interrupted: false,
      text: "echo: tool",
      subtype: "success",
    });
    expect(result.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, cost_usd: 0.001 });
    expect(events).toEqual([
      ["state", "starting"],
      ["state", "ready"],
      ["state", "busy"],
      ["toolUse", { id: "t1", name: "Bash", input: { command: "npm test" } }],
      ["text", "echo: tool"],
      ["usage", result.usage],
      ["state", "ready"],
    ]);
    expect(session.sessionId).toBe("fake-session");
  });

  it("reports the exit once, after the state exited, and rejects a turn sent afterwards", async () => {
    const session = await startSession();
    const states: DriverState[] = [];
    session.on("state", (state) => states.push(state));
    const exit = exitOf(session);
    await session.stop(5_000);
    expect(await exit).toMatchObject({ code: 0, signal: null });
    expect(states).toEqual(["exited"]);
    await expect(session.sendTurn("hello")).rejects.toMatchObject({ code: "agent_crashed" });
  });

  it("skips unknown lines, warns about malformed ones, and ends the turn of a malformed result as an error", async () => {
    const logged: string[] = [];
    const session = await startSession(
      {},
      createLogger({ level: "warn", write: (line) => logged.push(line) }),
    );
    const texts: string[] = [];
    session.on("text", (text) => texts.push(text));
    const result = await session.sendTurn("malformed");
    expect(result).toMatchObject({ isError: true, subtype: "malformed_result", interrupted: false });
    expect(result.text).toMatch(/result line CCA could not read.*is_error/);
    expect(texts).toEqual([]);
    expect(logged.filter((line) => line.includes("WARN"))).toEqual([
      expect.stringMatching(/malformed "assistant" line from Claude Code.*text/),
      expect.stringMatching(/malformed "result" line from Claude Code.*is_error/),
    ]);
    // The process is still usable.
    expect(await session.sendTurn("hello")).toMatchObject({ isError: false, text: "echo: hello" });
  });

  it("interrupts a running turn: it answers true and the turn resolves as interrupted", async () => {
    const session = await startSession();
    const turn = session.sendTurn("hang");
    expect(await session.interrupt({ deadlineMs: 5_000 })).toBe(true);
    expect(await turn).toMatchObject({ interrupted: true, isError: true });
    expect(session.pendingControls).toBe(0);
  });

  it("answers an interrupt that Claude Code ignores with false by its deadline and forgets the request", async () => {
    const session = await startSession();
    const turn = session.sendTurn("deaf");
    turn.catch(() => {});
    expect(await within(session.interrupt({ deadlineMs: 200 }), 5_000)).toBe(false);
    expect(session.pendingControls).toBe(0);
    expect(session.busy).toBe(true);
  });

  it("answers an interrupt of a SIGSTOPped process by its deadline, and stop() kills it and its children", async () => {
    const watch = await childWatch();
    const session = await startSession({ FAKE_CLAUDE_CHILD_PORT: String(watch.port) });
    const child = await watch.child;
    const pid = session.pid!;
    const turn = session.sendTurn("hang");
    turn.catch(() => {});
    process.kill(pid, "SIGSTOP");

    expect(await within(session.interrupt({ deadlineMs: 200 }), 5_000)).toBe(false);
    expect(session.pendingControls).toBe(0);

    const exit = exitOf(session);
    expect(await within(session.stop(100), 5_000)).toBeUndefined();
    expect(await exit).toMatchObject({ signal: "SIGKILL" });
    expect(isGone(pid)).toBe(true);
    await expect(turn).rejects.toMatchObject({ code: "agent_crashed" });
    // The child ignored SIGTERM and its parent's death: only the group's SIGKILL ends it.
    await child.gone;
  });

  it("kills what is left of its process group when Claude Code exits by itself on stop()", async () => {
    const watch = await childWatch();
    const session = await startSession({ FAKE_CLAUDE_CHILD_PORT: String(watch.port) });
    const child = await watch.child;
    const exit = exitOf(session);
    await session.stop(5_000);
    expect(await exit).toMatchObject({ code: 0 });
    await child.gone;
  });
});
