import { PtyError } from "./errors.js";
import {
  type KillOptions,
  type PtyExit,
  type PtyProcess,
  type SpawnPtyOptions,
  spawnPty,
} from "./pty-process.js";
import { ScrollbackBuffer } from "./scrollback-buffer.js";
import { type ScreenSnapshot, TerminalScreen } from "./terminal-screen.js";
import { type AttachOptions, type PtyViewer, type ViewerClose, ViewerQueue } from "./viewer.js";

export interface PtySessionOptions {
  /** Bytes of raw output kept in the scrollback. Default 1 MiB. */
  scrollbackBytes?: number;
  /** Lines the emulator keeps above the screen. Default 1000. */
  screenScrollbackLines?: number;
  /**
   * Whether the emulator answers the program's terminal queries (cursor position, device
   * attributes), as a real terminal would. Default true: with no viewer attached nobody else
   * answers, and some programs wait for the answer. A viewer's own terminal sees the query in the
   * stream too; an attach client should not forward its terminal's answers back.
   */
  replyToQueries?: boolean;
}

/** The scrollback as a session exposes it: read-only. */
export type ScrollbackView = Pick<ScrollbackBuffer, "maxBytes" | "byteLength" | "droppedBytes" | "read">;

/**
 * A process in a PTY with what it takes to watch it: a scrollback of its raw output, a headless
 * terminal emulator holding its current screen, and any number of viewers, each of which gets the
 * screen first and then the live output.
 */
export interface PtySession {
  readonly process: PtyProcess;
  readonly scrollback: ScrollbackView;
  readonly viewerCount: number;
  /** Resolves with the exit once the process has exited and every viewer has been told. */
  readonly exited: Promise<PtyExit>;
  write(data: string | Uint8Array): void;
  /** Resizes the PTY and the emulator (in step with the output); viewers get a `resize` frame. */
  resize(cols: number, rows: number): void;
  kill(options?: KillOptions): Promise<PtyExit>;
  /** A new viewer: the current screen, then the live stream, until it closes or the process exits. */
  attach(options?: AttachOptions): PtyViewer;
  /** The screen once all output received so far has been parsed. */
  snapshot(options?: { scrollbackLines?: number }): Promise<ScreenSnapshot>;
  /** The visible screen as plain text, one string per row. */
  screenText(): Promise<string[]>;
  /** Cuts every viewer (reason `disposed`) and frees the emulator. Does not kill the process. */
  dispose(): void;
}

const DEFAULT_SCROLLBACK_BYTES = 1024 * 1024;
const DEFAULT_SCREEN_SCROLLBACK_LINES = 1000;
// xterm throws away writes beyond 50 MB pending; stop reading the PTY well before that.
const EMULATOR_HIGH_WATER = 8 * 1024 * 1024;
const EMULATOR_LOW_WATER = 1024 * 1024;

/**
 * Wraps a running PtyProcess in a session. Subscribe before the process can emit (right after
 * `spawnPty`, in the same tick), or use `spawnPtySession`.
 */
export function createPtySession(process: PtyProcess, options: PtySessionOptions = {}): PtySession {
  return new Session(process, options);
}

/**
 * Spawns `command` in a PTY and wraps it in a session.
 *
 * @example
 * const session = spawnPtySession("bash", ["-i"], { cols: 100, rows: 30 });
 * session.write("ls\r");
 * const viewer = session.attach();
 * for await (const frame of viewer) render(frame);
 */
export function spawnPtySession(
  command: string,
  args: readonly string[] = [],
  options: SpawnPtyOptions & PtySessionOptions = {},
): PtySession {
  const { scrollbackBytes, screenScrollbackLines, replyToQueries, ...spawnOptions } = options;
  return createPtySession(spawnPty(command, args, spawnOptions), {
    scrollbackBytes,
    screenScrollbackLines,
    replyToQueries,
  });
}

class Session implements PtySession {
  readonly exited: Promise<PtyExit>;
  readonly #scrollback: ScrollbackBuffer;
  readonly #screen: TerminalScreen;
  readonly #viewers = new Set<ViewerQueue>();
  readonly #unsubscribe: (() => void)[];
  #nextViewerId = 1;
  #paused = false;
  #disposed = false;

  constructor(
    readonly process: PtyProcess,
    options: PtySessionOptions,
  ) {
    this.#scrollback = new ScrollbackBuffer(options.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES);
    const replyToQueries = options.replyToQueries ?? true;
    this.#screen = new TerminalScreen({
      cols: process.cols,
      rows: process.rows,
      scrollbackLines: options.screenScrollbackLines ?? DEFAULT_SCREEN_SCROLLBACK_LINES,
      onReply: replyToQueries
        ? (reply) => {
            if (!process.exit) process.write(reply);
          }
        : undefined,
    });
    let resolveExited!: (exit: PtyExit) => void;
    this.exited = new Promise((resolve) => {
      resolveExited = resolve;
    });
    this.#unsubscribe = [
      process.onData((data) => this.#onOutput(data)),
      process.onResize(({ cols, rows }) => {
        this.#screen.resize(cols, rows);
        for (const viewer of this.#viewers) viewer.pushFrame({ type: "resize", cols, rows });
      }),
    ];
    // Kept through dispose, so `exited` resolves even for a disposed session.
    process.onExit((exit) => {
      for (const viewer of [...this.#viewers]) this.#finish(viewer, exit);
      resolveExited(exit);
    });
  }

  get scrollback(): ScrollbackView {
    return this.#scrollback;
  }

  get viewerCount(): number {
    return this.#viewers.size;
  }

  write(data: string | Uint8Array): void {
    this.process.write(data);
  }

  resize(cols: number, rows: number): void {
    this.process.resize(cols, rows);
  }

  kill(options?: KillOptions): Promise<PtyExit> {
    return this.process.kill(options);
  }

  attach(options: AttachOptions = {}): PtyViewer {
    if (this.#disposed) {
      throw new PtyError(
        "disposed",
        `The session of pid ${this.process.pid} was disposed; nothing to attach to`,
        {
          details: { pid: this.process.pid },
        },
      );
    }
    const viewer = new ViewerQueue(
      this.#nextViewerId++,
      options,
      (scrollbackLines) => this.#screen.snapshot({ scrollbackLines }),
      (closed) => this.#viewers.delete(closed),
    );
    this.#viewers.add(viewer);
    viewer.startWithScreen();
    const exit = this.process.exit;
    if (exit) this.#finish(viewer, exit);
    return viewer;
  }

  snapshot(options?: { scrollbackLines?: number }): Promise<ScreenSnapshot> {
    return this.#screen.snapshot(options);
  }

  screenText(): Promise<string[]> {
    return this.#screen.text();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    const reason: ViewerClose = {
      code: "disposed",
      message: `The session of pid ${this.process.pid} was disposed`,
    };
    for (const viewer of [...this.#viewers]) viewer.abort(reason);
    this.#screen.dispose();
    if (this.#paused) this.process.resume();
  }

  #onOutput(data: string): void {
    this.#scrollback.append(data);
    // The emulator gets the chunk before the viewers, so a screen a viewer asks for now includes it.
    this.#screen.write(data, () => {
      if (this.#paused && this.#screen.pendingBytes < EMULATOR_LOW_WATER) {
        this.#paused = false;
        this.process.resume();
      }
    });
    if (!this.#paused && this.#screen.pendingBytes > EMULATOR_HIGH_WATER) {
      this.#paused = true;
      this.process.pause();
    }
    if (this.#viewers.size === 0) return;
    const bytes = Buffer.byteLength(data);
    for (const viewer of [...this.#viewers]) viewer.pushOutput(data, bytes);
  }

  #finish(viewer: ViewerQueue, exit: PtyExit): void {
    viewer.pushFrame({ type: "exit", ...exit });
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    viewer.end({ code: "exited", message: `pid ${this.process.pid} ${how}` });
  }
}
