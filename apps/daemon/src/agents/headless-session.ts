import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CcaError, type Logger, noopLogger, type TokenUsage } from "@cca/core";
import {
  type ClaudeOutputLine,
  controlRequestLine,
  parseStreamLine,
  type TurnOutcome,
  userTurnLine,
} from "./stream-json.js";

/** What the session reports while a turn runs. */
export interface TurnListener {
  onText?(text: string): void;
  onToolUse?(name: string, input: Record<string, unknown>): void;
  onToolResult?(isError: boolean, content: string): void;
  onApiRetry?(attempt: number | null, error: string | null): void;
}

/** The outcome of one turn, with this turn's own cost (Claude Code reports a running total). */
export interface TurnResult extends TurnOutcome {
  usage: TokenUsage;
  interrupted: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

export interface HeadlessSessionOptions {
  claudePath: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
  logger?: Logger;
}

interface PendingTurn {
  listener: TurnListener;
  resolve(result: TurnResult): void;
  reject(error: CcaError): void;
  interrupted: boolean;
}

interface PendingControl {
  resolve(payload: unknown): void;
  reject(error: CcaError): void;
}

const STDERR_TAIL_LINES = 20;

/**
 * One long-lived `claude -p --input-format stream-json --output-format stream-json` process.
 * Each `runTurn` writes one user message and resolves on the `result` line that ends it.
 */
export class HeadlessSession {
  readonly #options: HeadlessSessionOptions;
  readonly #logger: Logger;
  readonly #stderr: string[] = [];
  readonly #controls = new Map<string, PendingControl>();
  readonly #exitListeners = new Set<(info: ExitInfo) => void>();
  #child: ChildProcess | null = null;
  #turn: PendingTurn | null = null;
  #exit: ExitInfo | null = null;
  #spawnError: CcaError | null = null;
  #nextRequestId = 1;
  #lastTotalCostUsd = 0;
  #sessionId: string | null = null;

  constructor(options: HeadlessSessionOptions) {
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

  /** Called once when the process ends, for whatever reason. */
  onExit(listener: (info: ExitInfo) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /** Starts the process and resolves once it answers the `initialize` handshake. */
  async start(): Promise<void> {
    const { claudePath, args, cwd, env } = this.#options;
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

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CcaError(
              "agent_spawn_failed",
              `Claude Code (${claudePath}) did not answer its start-up handshake within ${this.#options.startupTimeoutMs} ms${this.#stderrSuffix()}`,
            ),
          ),
        this.#options.startupTimeoutMs,
      );
    });
    try {
      await Promise.race([this.#control({ subtype: "initialize" }), timeout]);
    } catch (error) {
      this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one user message and resolves when Claude Code ends the turn. */
  runTurn(prompt: string, listener: TurnListener = {}): Promise<TurnResult> {
    if (this.#turn) {
      return Promise.reject(new CcaError("internal", "This agent is already running a turn"));
    }
    const dead = this.#deadError("before the turn started");
    if (dead) return Promise.reject(dead);
    return new Promise<TurnResult>((resolve, reject) => {
      this.#turn = { listener, resolve, reject, interrupted: false };
      this.#child!.stdin!.write(userTurnLine(prompt));
    });
  }

  /** Stops the running turn without ending the process; the turn resolves as interrupted. */
  async interrupt(): Promise<void> {
    if (!this.#turn) return;
    this.#turn.interrupted = true;
    await this.#control({ subtype: "interrupt" });
  }

  /** Ends the process: closes stdin, then escalates to SIGTERM and SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.#child || this.#exit) return;
    const exited = new Promise<void>((resolve) => this.onExit(() => resolve()));
    this.#child.stdin?.end();
    if (await settlesWithin(exited, graceMs)) return;
    this.#signal("SIGTERM");
    if (await settlesWithin(exited, graceMs)) return;
    this.kill();
    await exited;
  }

  /** Kills the process and anything it started (it leads its own process group). */
  kill(): void {
    this.#signal("SIGKILL");
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (!pid || this.#exit) return;
    try {
      process.kill(-pid, signal);
    } catch {
      this.#child?.kill(signal);
    }
  }

  #control(request: Record<string, unknown>): Promise<unknown> {
    const dead = this.#deadError("before a control request");
    if (dead) return Promise.reject(dead);
    const requestId = `cca_${this.#nextRequestId++}`;
    return new Promise((resolve, reject) => {
      this.#controls.set(requestId, { resolve, reject });
      this.#child!.stdin!.write(controlRequestLine(requestId, request));
    });
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
    const listener = this.#turn?.listener;
    switch (line.type) {
      case "system_init":
        this.#sessionId = line.sessionId || this.#sessionId;
        return;
      case "assistant_text":
        listener?.onText?.(line.text);
        return;
      case "tool_use":
        listener?.onToolUse?.(line.name, line.input);
        return;
      case "tool_result":
        listener?.onToolResult?.(line.isError, line.content);
        return;
      case "api_retry":
        listener?.onApiRetry?.(line.attempt, line.error);
        return;
      case "control_response": {
        const pending = this.#controls.get(line.requestId);
        if (!pending) return;
        this.#controls.delete(line.requestId);
        if (line.success) pending.resolve(line.payload);
        else pending.reject(new CcaError("internal", `Claude Code refused a control request: ${line.error}`));
        return;
      }
      case "result":
        this.#finishTurn(line.result);
        return;
      case "other":
        return;
    }
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
    turn.resolve({
      ...outcome,
      usage: { ...outcome.usage, cost_usd: turnCost },
      interrupted: turn.interrupted,
    });
  }

  #onSpawnError(error: NodeJS.ErrnoException): void {
    const { claudePath } = this.#options;
    this.#spawnError =
      error.code === "ENOENT"
        ? new CcaError(
            "claude_not_found",
            `Claude Code executable "${claudePath}" was not found. Install it (npm install -g @anthropic-ai/claude-code) or set agents.claude_path in cca.toml (or CCA__AGENTS__CLAUDE_PATH) to its path.`,
            { cause: error, details: { path: claudePath } },
          )
        : new CcaError(
            "agent_spawn_failed",
            `Could not start Claude Code (${claudePath}): ${error.message}`,
            {
              cause: error,
              details: { path: claudePath },
            },
          );
    // A failed spawn emits no "exit"; end everything that waits here.
    if (!this.#exit) this.#onExit(null, null);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exit) return;
    this.#exit = { code, signal, stderrTail: this.#stderr.join("\n") };
    const error = this.#deadError("during the turn")!;
    for (const pending of this.#controls.values()) pending.reject(error);
    this.#controls.clear();
    const turn = this.#turn;
    this.#turn = null;
    turn?.reject(error);
    for (const listener of this.#exitListeners) listener(this.#exit);
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

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}
