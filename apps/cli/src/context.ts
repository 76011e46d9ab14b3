import { createDaemonClient, type DaemonClient, type Env, readAccessToken } from "@cca/core";
import { type DaemonLocation, locateDaemon } from "./daemon-url.js";
import { createColors, wantsColor } from "./layout/colors.js";
import type { RenderOptions } from "./render.js";

/** Where output goes: a stream such as `process.stdout`, or anything a test can read back. */
export interface Output {
  write(chunk: string): unknown;
  /** The terminal width, when the output is a terminal. */
  columns?: number;
  /** The terminal height, when the output is a terminal: live views are clipped to it. */
  rows?: number;
  /** True when the output is a terminal: live views (`--watch`) then redraw in place. */
  isTTY?: boolean;
}

/** Everything `run` needs from the outside world. Every field has a default from `process`. */
export interface RunOptions {
  env?: Env;
  stdout?: Output;
  stderr?: Output;
  cwd?: string;
  /** Aborts long-running commands (`--watch`, `--wait`, `--follow`, `--foreground`); main wires it to Ctrl-C. */
  signal?: AbortSignal;
  now?: () => Date;
  /**
   * The clock live views redraw on, so their times move on between events: calls `listener`
   * every second until the returned function is called. By default a `setInterval`.
   */
  everySecond?: (listener: () => void) => () => void;
  /** The script `cca daemon start` runs with node; by default the `ccad` package's bin. */
  daemonEntry?: string;
}

/** What a command handler works with: output, environment, and the daemon it talks to. */
export interface CommandContext {
  readonly env: Env;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly daemonEntry: string | undefined;
  /** Whether stdout is a terminal (live views redraw in place) or a file or pipe (one frame per change). */
  readonly isTerminal: boolean;
  now(): Date;
  /** Calls `listener` every second (see `RunOptions.everySecond`); call the result to stop. */
  everySecond(listener: () => void): () => void;
  /** The terminal's height in rows, when stdout is a terminal that says. */
  terminalRows(): number | undefined;
  /** Writes a line to stdout. */
  print(text: string): void;
  /** Writes a value to stdout as JSON: pretty, or on one line for streams of values. */
  printJson(value: unknown, options?: { compact?: boolean }): void;
  /** Writes a line to stderr. */
  warn(text: string): void;
  /** Writes raw text to stdout (no newline added). */
  writeRaw(text: string): void;
  writeRawError(text: string): void;
  renderOptions(): RenderOptions;
  /** Where the daemon is, from `--daemon-url`, `$CCA_DAEMON_URL` or the config. */
  locate(argv: { daemonUrl?: string }): DaemonLocation;
  /** A client for the daemon, with the access token as it is on disk now. */
  client(argv: { daemonUrl?: string }): DaemonClient;
}

const DEFAULT_WIDTH = 120;
/** How long one request may take before the daemon counts as unreachable; long polls get their wait on top. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A fetch that gives up on a daemon that accepts connections but never answers: after
 * `timeoutMs`, plus the `wait_s` of a long poll. The event stream (`/api/v1/events`) is meant
 * to stay open, so only its answer is timed, not its body.
 */
export function createTimedFetch(timeoutMs: number = REQUEST_TIMEOUT_MS): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.endsWith("/api/v1/events")) {
      const answered = new AbortController();
      const timer = setTimeout(
        () => answered.abort(new DOMException("The daemon did not answer in time", "TimeoutError")),
        timeoutMs,
      );
      const signal = init?.signal ? AbortSignal.any([init.signal, answered.signal]) : answered.signal;
      return fetch(input, { ...init, signal }).finally(() => clearTimeout(timer));
    }
    const waitMs = Number(url.searchParams.get("wait_s") ?? 0) * 1000;
    const timeout = AbortSignal.timeout(timeoutMs + (Number.isFinite(waitMs) ? waitMs : 0));
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/** Builds the context commands run in from `run`'s options. */
export function createCommandContext(options: RunOptions): CommandContext {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const colors = createColors(wantsColor(env, stdout));
  const context: CommandContext = {
    env,
    cwd,
    signal,
    daemonEntry: options.daemonEntry,
    isTerminal: stdout.isTTY === true,
    now,
    everySecond: options.everySecond ?? everySecond,
    terminalRows: () => (stdout.isTTY ? stdout.rows : undefined),
    print: (text) => stdout.write(`${text}\n`),
    printJson: (value, printOptions) =>
      stdout.write(`${JSON.stringify(value, null, printOptions?.compact ? undefined : 2)}\n`),
    warn: (text) => stderr.write(`${text}\n`),
    writeRaw: (text) => stdout.write(text),
    writeRawError: (text) => stderr.write(text),
    renderOptions: () => ({ now: now(), width: stdout.columns ?? DEFAULT_WIDTH, colors }),
    locate: (argv) => locateDaemon({ flag: argv.daemonUrl, env, cwd }),
    client: (argv) =>
      createDaemonClient({
        baseUrl: context.locate(argv).url,
        token: readAccessToken(env),
        fetch: createTimedFetch(),
      }),
  };
  return context;
}

function everySecond(listener: () => void): () => void {
  const timer = setInterval(listener, 1000);
  return () => clearInterval(timer);
}
