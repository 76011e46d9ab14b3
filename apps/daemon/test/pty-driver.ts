import { fileURLToPath } from "node:url";
import { emptyUsage } from "@cca/core";
import { type PtySession, screenShows, spawnPtySession } from "@cca/pty";
import {
  type AgentDriver,
  type AgentDriverEvent,
  type AgentDriverEvents,
  type AgentDriverFactory,
  DriverEventEmitter,
  type TurnResult,
} from "../src/agents/agent-driver.js";

export const PTY_ECHO = fileURLToPath(new URL("./fixtures/pty-echo.mjs", import.meta.url));

/**
 * An interactive-kind driver whose terminal is a real PtySession of the pty-echo fixture:
 * enough of an agent to attach to. A turn types the prompt and ends once its echo is on screen.
 */
class PtyEchoDriver implements AgentDriver {
  readonly kind = "interactive" as const;
  readonly sessionId = null;
  busy = false;
  exited = false;
  terminal: PtySession | null = null;
  readonly #events = new DriverEventEmitter();

  get pid(): number | null {
    return this.terminal?.process.pid ?? null;
  }

  async start(): Promise<void> {
    const terminal = spawnPtySession(process.execPath, [PTY_ECHO], { cols: 80, rows: 24 });
    this.terminal = terminal;
    void terminal.exited.then((exit) => {
      this.exited = true;
      this.#events.emit("state", "exited");
      this.#events.emit("exit", { code: exit.code, signal: exit.signal, stderrTail: "" });
    });
    await screenShows(terminal, "ready");
  }

  async sendTurn(prompt: string): Promise<TurnResult> {
    const terminal = this.terminal!;
    this.busy = true;
    try {
      terminal.write(`${prompt}\r`);
      await screenShows(terminal, prompt.toUpperCase());
    } finally {
      this.busy = false;
    }
    return {
      subtype: "success",
      isError: false,
      text: prompt.toUpperCase(),
      sessionId: null,
      numTurns: 1,
      durationMs: null,
      usage: emptyUsage(),
      totalCostUsd: 0,
      apiErrorStatus: null,
      permissionDenials: [],
      interrupted: false,
    };
  }

  async interrupt(): Promise<boolean> {
    return true;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.terminal || this.exited) return;
    await this.terminal.kill({ graceMs });
  }

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    return this.#events.on(event, listener);
  }
}

/** Makes every agent a pty-echo program in a terminal. */
export const createPtyEchoDriver: AgentDriverFactory = () => new PtyEchoDriver();
