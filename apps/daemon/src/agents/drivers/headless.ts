import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  CcaError,
  clampTimerMs,
  emptyUsage,
  type Logger,
  noopLogger,
  type TokenUsage,
  totalTokens,
} from "@cca/core";
import {
  type AgentDriver,
  type AgentDriverEvent,
  type AgentDriverEvents,
  DriverEventEmitter,
  type ExitInfo,
  type TurnOutcome,
  type TurnResult,
} from "../agent-driver.js";
import { endProcessGroup, signalProcessGroup } from "../process-group.js";
import { waitForMcpServers } from "./mcp-status.js";
import { spawnFailure } from "./spawn-failure.js";
import { type ClaudeOutputLine, controlRequestLine, parseStreamLine, userTurnLine } from "./stream-json.js";

export interface HeadlessDriverOptions {
  claudePath: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
  logger?: Logger;
}

interface PendingTurn {
  resolve(result: TurnResult): void;
  reject(error: CcaError): void;
  interrupted: boolean;
  /** Resolves once the turn has ended, however it ended. */
  ended: Promise<void>;
}

interface PendingControl {
  resolve(payload: unknown): void;
  reject(error: CcaError): void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL_LINES = 20;
/** How long `interrupt()` waits for Claude Code unless told otherwise. */
export const DEFAULT_INTERRUPT_DEADLINE_MS = 5_000;

/**
 * The headless driver: one long-lived `claude -p --input-format stream-json --output-format
 * stream-json` process. Each `sendTurn` writes one user message and resolves on the
 * `result` line that ends it; the lines in between become the driver's events.
 */
export class HeadlessDriver implements AgentDriver {
  readonly kind = "headless";
  readonly terminal = null;
  readonly #options: HeadlessDriverOptions;
  readonly #logger: Logger;
  readonly #stderr: string[] = [];
  readonly #controls = new Map<string, PendingControl>();
  readonly #events = new DriverEventEmitter();
  #child: ChildProcess | null = null;
  #turn: PendingTurn | null = null;
  #exit: ExitInfo | null = null;
  #spawnError: CcaError | null = null;
  #nextRequestId = 1;
  #lastTotalCostUsd = 0;
  /** The process's tokens at the last turn's end, from `modelUsage`. */
  #lastProcessTokens: TokenUsage | null = null;
  /** What the running turn's last request sent, and whether it compacted the conversation. */
  #contextTokens: number | null = null;
  #smallestContextTokens: number | null = null;
  #compacted: { preTokens: number; postTokens: number } | null = null;
  #sessionId: string | null = null;

  constructor(options: HeadlessDriverOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }

  get exited(): boolean {
    return this.#exit !== null;
  }

  get busy(): boolean {
    return this.#turn !== null;
  }

  /** Control requests still waiting for an answer (each ends by its deadline at the latest). */
  get pendingControls(): number {
    return this.#controls.size;
  }

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts the process and resolves once it answers the `initialize` handshake. */
  async start(): Promise<void> {
    const { claudePath, args, cwd, env } = this.#options;
    this.#events.emit("state", "starting");
    const child = spawn(claudePath, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.#child = child;
    child.on("error", (error: NodeJS.ErrnoException) => this.#onSpawnError(error));
    child.on("exit", (code, signal) => this.#onExit(code, signal));
    child.stdin?.on("error", (error) => this.#logger.debug("agent stdin closed", { error: error.message }));
    createInterface({ input: child.stderr! }).on("line", (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_TAIL_LINES) this.#stderr.shift();
    });
    createInterface({ input: child.stdout! }).on("line", (line) => this.#onLine(line));

    const { startupTimeoutMs } = this.#options;
    try {
      await this.#control(
        { subtype: "initialize" },
        startupTimeoutMs,
        () =>
          new CcaError(
            "agent_spawn_failed",
            `Claude Code (${claudePath}) did not answer its start-up handshake within ${startupTimeoutMs} ms${this.#stderrSuffix()}`,
          ),
      ).answer;
      await this.#mcpServersSettled(Date.now() + startupTimeoutMs);
    } catch (error) {
      this.kill();
      throw error;
    }
    this.#events.emit("state", "ready");
  }

  /**
   * Waits until Claude Code's MCP servers (CCA's bridge) have connected, which it does in
   * the background after the handshake: a first turn sent before waits for them anyway
   * (about 400 ms), so an agent is ready, and a warm one really warm, only once they are.
   */
  async #mcpServersSettled(deadline: number): Promise<void> {
    const notConnected = () =>
      new CcaError(
        "agent_spawn_failed",
        `Claude Code (${this.#options.claudePath}) did not connect its MCP servers within ${this.#options.startupTimeoutMs} ms${this.#stderrSuffix()}`,
      );
    const failed = await waitForMcpServers({
      status: (remainingMs) => this.#control({ subtype: "mcp_status" }, remainingMs, notConnected).answer,
      deadline,
      timeoutError: notConnected,
    });
    for (const server of failed) this.#logger.warn("an MCP server of the agent did not connect", server);
  }

  /** Sends one user message and resolves when Claude Code ends the turn. */
  sendTurn(prompt: string): Promise<TurnResult> {
    if (this.#turn) {
      return Promise.reject(new CcaError("internal", "This agent is already running a turn"));
    }
    const dead = this.#deadError("before the turn started");
    if (dead) return Promise.reject(dead);
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    return new Promise<TurnResult>((resolve, reject) => {
      this.#turn = {
        resolve: (result) => {
          markEnded();
          resolve(result);
        },
        reject: (error) => {
          markEnded();
          reject(error);
        },
        interrupted: false,
        ended,
      };
      this.#contextTokens = null;
      this.#smallestContextTokens = null;
      this.#compacted = null;
      this.#child!.stdin!.write(userTurnLine(prompt));
      this.#events.emit("state", "busy");
    });
  }

  /**
   * Asks Claude Code to stop the running turn without ending the process; the turn then
   * resolves as interrupted. Resolves within `deadlineMs` whether or not Claude Code
   * answers: true once the turn has ended or Claude Code acknowledged the interrupt (and
   * at once when no turn runs), false when it refused or did not answer in time. A hung
   * process (SIGSTOPped, wedged) gives false: `stop()` it.
   * @example if (!(await session.interrupt({ deadlineMs: 2_000 }))) await session.stop(1_000);
   */
  async interrupt(options: { deadlineMs?: number } = {}): Promise<boolean> {
    const turn = this.#turn;
    if (!turn) return true;
    turn.interrupted = true;
    const deadlineMs = options.deadlineMs ?? DEFAULT_INTERRUPT_DEADLINE_MS;
    const control = this.#control({ subtype: "interrupt" }, deadlineMs);
    try {
      const acknowledged = await Promise.race([
        control.answer.then(
          () => true,
          (error: unknown) => {
            this.#logger.warn("Claude Code did not acknowledge an interrupt", {
              pid: this.pid,
              error: error instanceof Error ? error.message : String(error),
            });
            return false;
          },
        ),
        turn.ended.then(() => true),
      ]);
      return acknowledged || this.#turn !== turn;
    } finally {
      // The turn may end before the acknowledgement arrives: nobody waits for that any more.
      this.#forgetControl(control.requestId);
    }
  }

  /**
   * Ends the process and every wait on it, in bounded time: closes stdin, waits `graceMs`,
   * SIGTERMs the process group, waits `graceMs`, then SIGKILLs the group (a SIGSTOPped
   * process ignores SIGTERM, never SIGKILL). What is left of the group (MCP servers such
   * as the agent's bridge) is killed too, also when Claude Code exited by itself.
   */
  async stop(graceMs: number): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (this.#exit) {
      signalProcessGroup(child, "SIGKILL");
      return;
    }
    let forget = () => {};
    const exited = new Promise<void>((resolve) => {
      forget = this.on("exit", () => resolve());
    });
    try {
      await endProcessGroup({ child, exited, graceMs, logger: this.#logger });
    } finally {
      forget();
    }
  }

  /** Kills the process and anything it started (it leads its own process group). */
  kill(): void {
    if (this.#child) signalProcessGroup(this.#child, "SIGKILL");
  }

  /**
   * Sends a control request; `answer` resolves with Claude Code's reply, or rejects after
   * `deadlineMs` (with `timeoutError()`, else a `timeout` CcaError), the request forgotten.
   */
  #control(
    request: Record<string, unknown> & { subtype: string },
    deadlineMs: number,
    timeoutError?: () => CcaError,
  ): { requestId: string | null; answer: Promise<unknown> } {
    const dead = this.#deadError("before a control request");
    if (dead) return { requestId: null, answer: Promise.reject(dead) };
    const requestId = `cca_${this.#nextRequestId++}`;
    const answer = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#controls.delete(requestId);
        reject(
          timeoutError?.() ??
            new CcaError(
              "timeout",
              `Claude Code (pid ${this.pid ?? "?"}) did not answer the "${request.subtype}" control request within ${deadlineMs} ms; it may be hung: stop the agent`,
              { details: { pid: this.pid, subtype: request.subtype, deadline_ms: deadlineMs } },
            ),
        );
      }, clampTimerMs(deadlineMs));
      timer.unref();
      this.#controls.set(requestId, { resolve, reject, timer });
      this.#child!.stdin!.write(controlRequestLine(requestId, request));
    });
    return { requestId, answer };
  }

  /** Stops waiting for a control request's answer; a late answer is then ignored. */
  #forgetControl(requestId: string | null): void {
    if (requestId === null) return;
    const pending = this.#controls.get(requestId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#controls.delete(requestId);
  }

  #onLine(text: string): void {
    let lines: ClaudeOutputLine[];
    try {
      lines = parseStreamLine(text);
    } catch {
      this.#logger.warn("ignored a line from Claude Code that is not stream-json", {
        line: text.slice(0, 200),
      });
      return;
    }
    for (const line of lines) this.#dispatch(line);
  }

  #dispatch(line: ClaudeOutputLine): void {
    switch (line.type) {
      case "system_init":
        this.#sessionId = line.sessionId || this.#sessionId;
        return;
      case "assistant_text":
        this.#events.emit("text", line.text);
        return;
      case "request_context":
        this.#contextTokens = line.tokens;
        this.#smallestContextTokens = Math.min(this.#smallestContextTokens ?? line.tokens, line.tokens);
        return;
      case "compacted":
        this.#compacted = { preTokens: line.preTokens, postTokens: line.postTokens };
        this.#contextTokens = line.postTokens;
        return;
      case "tool_use":
        this.#events.emit("toolUse", { id: line.id, name: line.name, input: line.input });
        return;
      case "tool_result":
        this.#events.emit("toolResult", {
          toolUseId: line.toolUseId,
          isError: line.isError,
          content: line.content,
        });
        return;
      case "api_retry":
        this.#events.emit("apiRetry", {
          attempt: line.attempt,
          error: line.error,
          errorStatus: line.errorStatus,
          retryDelayMs: line.retryDelayMs,
        });
        return;
      case "control_response": {
        const pending = this.#controls.get(line.requestId);
        if (!pending) return;
        this.#forgetControl(line.requestId);
        if (line.success) pending.resolve(line.payload);
        else pending.reject(new CcaError("internal", `Claude Code refused a control request: ${line.error}`));
        return;
      }
      case "result":
        this.#finishTurn(line.result);
        return;
      case "malformed":
        this.#onMalformed(line.kind, line.problem);
        return;
      case "other":
        return;
    }
  }

  /**
   * A known line that does not fit its schema (a Claude Code version that changed a field)
   * is logged and skipped; a malformed `result` still ends the turn, as an error, so that
   * nothing waits for a turn end that already went by.
   */
  #onMalformed(kind: string, problem: string): void {
    this.#logger.warn(
      `ignored a malformed "${kind}" line from Claude Code; has its stream-json format changed?`,
      {
        pid: this.pid,
        kind,
        problem,
      },
    );
    if (kind !== "result") return;
    this.#finishTurn({
      subtype: "malformed_result",
      isError: true,
      text: `Claude Code ended the turn with a result line CCA could not read (${problem.replaceAll("\n", " ")})`,
      sessionId: null,
      numTurns: null,
      durationMs: null,
      usage: emptyUsage(),
      totalCostUsd: this.#lastTotalCostUsd,
      apiErrorStatus: null,
      permissionDenials: [],
    });
  }

  #finishTurn(outcome: TurnOutcome): void {
    const turn = this.#turn;
    this.#sessionId = outcome.sessionId ?? this.#sessionId;
    const turnCost = Math.max(0, outcome.totalCostUsd - this.#lastTotalCostUsd);
    this.#lastTotalCostUsd = Math.max(this.#lastTotalCostUsd, outcome.totalCostUsd);
    if (!turn) {
      this.#logger.warn("Claude Code ended a turn nobody was waiting for", { subtype: outcome.subtype });
      return;
    }
    this.#turn = null;
    const usage = { ...this.#turnTokens(outcome), cost_usd: turnCost };
    this.#events.emit("usage", usage);
    this.#events.emit("state", "ready");
    turn.resolve({
      ...outcome,
      usage,
      interrupted: turn.interrupted,
      contextTokens: this.#contextTokens,
      smallestContextTokens: this.#smallestContextTokens,
      compacted: this.#compacted,
    });
  }

  /**
   * The turn's own tokens: its `result` line's, or where that counts none though the
   * process's totals grew (a `/compact` turn reports zeros), the growth of those totals.
   */
  #turnTokens(outcome: TurnOutcome): TokenUsage {
    const before = this.#lastProcessTokens;
    if (outcome.processTokens) this.#lastProcessTokens = outcome.processTokens;
    if (totalTokens(outcome.usage) > 0 || !before || !outcome.processTokens) return outcome.usage;
    const now = outcome.processTokens;
    return {
      input_tokens: Math.max(0, now.input_tokens - before.input_tokens),
      output_tokens: Math.max(0, now.output_tokens - before.output_tokens),
      cache_creation_input_tokens: Math.max(
        0,
        now.cache_creation_input_tokens - before.cache_creation_input_tokens,
      ),
      cache_read_input_tokens: Math.max(0, now.cache_read_input_tokens - before.cache_read_input_tokens),
      cost_usd: 0,
    };
  }

  #onSpawnError(error: NodeJS.ErrnoException): void {
    this.#spawnError = spawnFailure(this.#options.claudePath, error);
    // A failed spawn emits no "exit"; end everything that waits here.
    if (!this.#exit) this.#onExit(null, null);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exit) return;
    this.#exit = { code, signal, stderrTail: this.#stderr.join("\n") };
    const error = this.#deadError("during the turn")!;
    for (const pending of this.#controls.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#controls.clear();
    const turn = this.#turn;
    this.#turn = null;
    turn?.reject(error);
    this.#events.emit("state", "exited");
    this.#events.emit("exit", this.#exit);
  }

  #deadError(when: string): CcaError | null {
    if (this.#spawnError) return this.#spawnError;
    if (!this.#exit) return null;
    const how = this.#exit.signal ? `signal ${this.#exit.signal}` : `code ${this.#exit.code}`;
    return new CcaError(
      "agent_crashed",
      `Claude Code (pid ${this.#child?.pid ?? "?"}) exited with ${how} ${when}${this.#stderrSuffix()}`,
      { details: { pid: this.#child?.pid, code: this.#exit.code, signal: this.#exit.signal } },
    );
  }

  #stderrSuffix(): string {
    const tail = this.#stderr.slice(-5).join(" | ").trim();
    return tail ? `; its last output: ${tail.slice(0, 500)}` : "";
  }
}
