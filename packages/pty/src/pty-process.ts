import { closeSync, constants as fsConstants, openSync } from "node:fs";
import { constants as osConstants } from "node:os";
import * as nodePty from "node-pty";
import { PtyError } from "./errors.js";
import {
  assertArgs,
  assertDimension,
  assertEnv,
  assertNonNegativeMs,
  resolveCommand,
  resolveCwd,
} from "./validate.js";

/** How a process in a PTY ended: an exit code, or the signal that killed it (then `code` is null). */
export interface PtyExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Removes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

export interface SpawnPtyOptions {
  /** Working directory; must exist. Default: `process.cwd()`. */
  cwd?: string;
  /** The child's whole environment. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Width in cells. Default 80. */
  cols?: number;
  /** Height in cells. Default 24. */
  rows?: number;
  /** `TERM` for the child. Default `xterm-256color`. */
  term?: string;
}

export interface KillOptions {
  /** The first signal. Default `SIGTERM`. */
  signal?: NodeJS.Signals;
  /** How long the process has to exit after the first signal before it gets SIGKILL. Default 5000. */
  graceMs?: number;
  /** How long to wait for the exit after SIGKILL before failing with `kill_timeout`. Default 5000. */
  killTimeoutMs?: number;
}

/**
 * A process running in a pseudo-terminal: our interface over node-pty, so callers never see
 * node-pty's types. Output arrives as UTF-8 text through `onData`.
 */
export interface PtyProcess {
  readonly pid: number;
  /** The resolved absolute path of the program. */
  readonly command: string;
  readonly args: readonly string[];
  readonly cols: number;
  readonly rows: number;
  /** How the process ended, once it has (all its output has been delivered by then). */
  readonly exit: PtyExit | undefined;
  /** Resolves when the process has exited and its output has been delivered. */
  readonly exited: Promise<PtyExit>;
  /** Types `data` into the terminal. Throws `process_exited` once the process is gone. */
  write(data: string | Uint8Array): void;
  /** Changes the terminal size; the program gets SIGWINCH. */
  resize(cols: number, rows: number): void;
  /** Sends `signal` now (default SIGTERM), without waiting. Harmless once the process is gone. */
  signal(signal?: NodeJS.Signals): void;
  /**
   * Ends the process: `signal` (SIGTERM), then SIGKILL if it is still there after `graceMs`.
   * Resolves with its exit once it is gone; rejects with `kill_timeout` if even SIGKILL did not
   * end it within `killTimeoutMs`.
   */
  kill(options?: KillOptions): Promise<PtyExit>;
  /** Resolves with the exit, or rejects with `timeout` after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<PtyExit>;
  /** Stops reading output (the program blocks once the kernel's buffer is full) until `resume`. */
  pause(): void;
  resume(): void;
  onData(listener: (data: string) => void): Unsubscribe;
  /** Called once with the exit; called soon after subscribing if the process has already exited. */
  onExit(listener: (exit: PtyExit) => void): Unsubscribe;
  onResize(listener: (size: { cols: number; rows: number }) => void): Unsubscribe;
}

const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
const DEFAULT_GRACE_MS = 5000;
const DEFAULT_KILL_TIMEOUT_MS = 5000;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * Starts `command` with `args` in a new pseudo-terminal. Inputs are checked first: a missing
 * command or working directory, or a bad size, throws a PtyError saying which.
 *
 * @example
 * const pty = spawnPty("bash", ["-i"], { cwd: "/tmp", cols: 100, rows: 30 });
 * pty.onData((text) => process.stdout.write(text));
 * pty.write("echo hi\r");
 * const exit = await pty.kill({ graceMs: 2000 });
 */
export function spawnPty(
  command: string,
  args: readonly string[] = [],
  options: SpawnPtyOptions = {},
): PtyProcess {
  assertArgs(args);
  const cols = options.cols ?? DEFAULT_COLS;
  const rows = options.rows ?? DEFAULT_ROWS;
  assertDimension("cols", cols);
  assertDimension("rows", rows);
  const env = options.env ?? process.env;
  assertEnv(env);
  const term = options.term ?? "xterm-256color";
  if (typeof term !== "string" || term.length === 0) {
    throw new PtyError("invalid_argument", `term must be a non-empty string, got ${String(term)}`);
  }
  const cwd = resolveCwd(options.cwd ?? process.cwd());
  const file = resolveCommand(command, cwd, env.PATH);

  let pty: nodePty.IPty;
  try {
    pty = nodePty.spawn(file, [...args], { name: term, cols, rows, cwd, env: { ...env }, encoding: "utf8" });
  } catch (error) {
    throw new PtyError("spawn_failed", `Could not start ${file} in a PTY: ${errorMessage(error)}`, {
      cause: error,
      details: { command: file, cwd },
    });
  }
  return new NodePtyProcess(pty, file, [...args]);
}

class NodePtyProcess implements PtyProcess {
  readonly pid: number;
  readonly exited: Promise<PtyExit>;
  #exit: PtyExit | undefined;
  #resolveExit!: (exit: PtyExit) => void;
  readonly #dataListeners = new Set<(data: string) => void>();
  readonly #exitListeners = new Set<(exit: PtyExit) => void>();
  readonly #resizeListeners = new Set<(size: { cols: number; rows: number }) => void>();

  constructor(
    private readonly pty: nodePty.IPty,
    readonly command: string,
    readonly args: readonly string[],
  ) {
    this.pid = pty.pid;
    const heldSlave = holdSlaveOpen(pty);
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
    pty.onData((data) => {
      for (const listener of this.#dataListeners) listener(data);
    });
    pty.onExit(({ exitCode, signal }) => {
      const signalName = signal ? (SIGNAL_NAMES.get(signal) ?? null) : null;
      const exit: PtyExit = signalName
        ? { code: null, signal: signalName }
        : { code: exitCode, signal: null };
      if (heldSlave !== undefined) closeSync(heldSlave);
      this.#exit = exit;
      this.#resolveExit(exit);
      for (const listener of this.#exitListeners) listener(exit);
      this.#dataListeners.clear();
      this.#exitListeners.clear();
      this.#resizeListeners.clear();
    });
  }

  get cols(): number {
    return this.pty.cols;
  }

  get rows(): number {
    return this.pty.rows;
  }

  get exit(): PtyExit | undefined {
    return this.#exit;
  }

  write(data: string | Uint8Array): void {
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new PtyError("invalid_argument", "write takes a string or a Uint8Array");
    }
    if (this.#exit) {
      throw new PtyError(
        "process_exited",
        `Cannot write to ${this.command} (pid ${this.pid}): it has exited`,
        {
          details: { pid: this.pid, exit: this.#exit },
        },
      );
    }
    this.pty.write(typeof data === "string" ? data : Buffer.from(data));
  }

  resize(cols: number, rows: number): void {
    assertDimension("cols", cols);
    assertDimension("rows", rows);
    if (this.#exit) return;
    this.pty.resize(cols, rows);
    for (const listener of this.#resizeListeners) listener({ cols, rows });
  }

  signal(signal: NodeJS.Signals = "SIGTERM"): void {
    if (!(signal in osConstants.signals)) {
      throw new PtyError(
        "invalid_argument",
        `Unknown signal "${signal}"; use a name such as SIGTERM or SIGINT`,
      );
    }
    if (this.#exit) return;
    try {
      process.kill(this.pid, signal);
    } catch (error) {
      // ESRCH: it died and node-pty has not reported the exit yet.
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  async kill(options: KillOptions = {}): Promise<PtyExit> {
    const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    const killTimeoutMs = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
    assertNonNegativeMs("graceMs", graceMs);
    assertNonNegativeMs("killTimeoutMs", killTimeoutMs);
    if (this.#exit) return this.#exit;
    this.signal(options.signal ?? "SIGTERM");
    const graceful = await exitWithin(this.exited, graceMs);
    if (graceful) return graceful;
    this.signal("SIGKILL");
    const killed = await exitWithin(this.exited, killTimeoutMs);
    if (killed) return killed;
    throw new PtyError(
      "kill_timeout",
      `${this.command} (pid ${this.pid}) was still running ${killTimeoutMs} ms after SIGKILL; it may be stuck in the kernel (state D)`,
      { details: { pid: this.pid, command: this.command } },
    );
  }

  async waitForExit(timeoutMs: number): Promise<PtyExit> {
    assertNonNegativeMs("timeoutMs", timeoutMs);
    const exit = await exitWithin(this.exited, timeoutMs);
    if (exit) return exit;
    throw new PtyError("timeout", `${this.command} (pid ${this.pid}) did not exit within ${timeoutMs} ms`, {
      details: { pid: this.pid, command: this.command },
    });
  }

  pause(): void {
    if (!this.#exit) this.pty.pause();
  }

  resume(): void {
    if (!this.#exit) this.pty.resume();
  }

  onData(listener: (data: string) => void): Unsubscribe {
    if (this.#exit) return () => {};
    this.#dataListeners.add(listener);
    return () => this.#dataListeners.delete(listener);
  }

  onExit(listener: (exit: PtyExit) => void): Unsubscribe {
    const exit = this.#exit;
    if (exit) {
      let active = true;
      queueMicrotask(() => {
        if (active) listener(exit);
      });
      return () => {
        active = false;
      };
    }
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  onResize(listener: (size: { cols: number; rows: number }) => void): Unsubscribe {
    if (this.#exit) return () => {};
    this.#resizeListeners.add(listener);
    return () => this.#resizeListeners.delete(listener);
  }
}

/**
 * Opens the PTY's slave side in this process, to be closed on exit. Without it the last output
 * of a process is lost: when the child exits the master gets POLLHUP, and libuv ends the stream
 * after a short read although the kernel still holds data (pty reads return ~4 KiB at a time).
 * With the slave held open there is no hangup; node-pty then ends the stream 200 ms after the
 * exit, and the pending output is read in that time.
 */
function holdSlaveOpen(pty: nodePty.IPty): number | undefined {
  const slavePath = (pty as { ptsName?: unknown }).ptsName;
  if (typeof slavePath !== "string") return undefined;
  try {
    return openSync(slavePath, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
  } catch {
    return undefined;
  }
}

async function exitWithin(exited: Promise<PtyExit>, ms: number): Promise<PtyExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
