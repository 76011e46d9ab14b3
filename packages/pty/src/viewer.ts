import { PtyError } from "./errors.js";
import type { PtyExit } from "./pty-process.js";
import type { ScreenSnapshot } from "./terminal-screen.js";
import { assertPositiveInteger } from "./validate.js";

/** What a viewer reads: the screen first (and again after a resync), then the live stream. */
export type ViewerFrame =
  | ({ readonly type: "screen" } & ScreenSnapshot)
  | { readonly type: "output"; readonly data: string }
  | { readonly type: "resize"; readonly cols: number; readonly rows: number }
  | ({ readonly type: "exit" } & PtyExit);

/** Why a viewer's stream ended. */
export interface ViewerClose {
  readonly code: "detached" | "slow_viewer" | "exited" | "disposed";
  readonly message: string;
}

export interface AttachOptions {
  /**
   * How much live output (UTF-8 bytes) may wait for this viewer to read it. Past that the viewer
   * is too slow, and `onOverflow` decides. Default 1 MiB. The screen frame does not count.
   */
  maxBufferedBytes?: number;
  /**
   * `disconnect` (default): the stream ends with `slow_viewer`. `resync`: the waiting output is
   * dropped and replaced by a fresh screen frame, so the viewer skips ahead but stays correct.
   */
  onOverflow?: "disconnect" | "resync";
  /** Lines above the screen to include in screen frames. Default 0. */
  scrollbackLines?: number;
}

/**
 * One viewer of a PTY session: an async stream of frames with its own bounded queue, so a viewer
 * that reads slowly never holds up the process or the other viewers.
 *
 * @example
 * const viewer = session.attach();
 * for await (const frame of viewer) {
 *   if (frame.type === "screen") socket.send("\x1bc" + frame.data);
 *   if (frame.type === "output") socket.send(frame.data);
 * }
 * console.error(viewer.closeReason?.message);
 */
export interface PtyViewer extends AsyncIterable<ViewerFrame> {
  readonly id: number;
  /** Live output waiting to be read, in UTF-8 bytes. */
  readonly bufferedBytes: number;
  /** Set once the stream has ended or been cut; frames still queued can be read after an `exited`. */
  readonly closeReason: ViewerClose | undefined;
  /** Resolves with the reason when the stream ends or is cut. */
  readonly closed: Promise<ViewerClose>;
  /** The next frame, or `done` once the stream has ended. */
  next(): Promise<IteratorResult<ViewerFrame, undefined>>;
  /** Leaves the session (reason `detached`); the process goes on. */
  close(): void;
}

interface QueuedFrame {
  frame: ViewerFrame;
  bytes: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/** The session's side of a viewer. */
export class ViewerQueue implements PtyViewer {
  readonly maxBufferedBytes: number;
  readonly onOverflow: "disconnect" | "resync";
  readonly scrollbackLines: number;
  readonly closed: Promise<ViewerClose>;
  #frames: QueuedFrame[] = [];
  #bufferedBytes = 0;
  #screenPending = false;
  #generation = 0;
  #closeReason: ViewerClose | undefined;
  #resolveClosed!: (reason: ViewerClose) => void;
  #readers: ((result: IteratorResult<ViewerFrame, undefined>) => void)[] = [];

  constructor(
    readonly id: number,
    options: AttachOptions,
    private readonly requestScreen: (scrollbackLines: number) => Promise<ScreenSnapshot>,
    private readonly onClosed: (viewer: ViewerQueue) => void,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    assertPositiveInteger("maxBufferedBytes", this.maxBufferedBytes);
    this.onOverflow = options.onOverflow ?? "disconnect";
    if (this.onOverflow !== "disconnect" && this.onOverflow !== "resync") {
      throw new PtyError(
        "invalid_argument",
        `onOverflow must be "disconnect" or "resync", got ${String(this.onOverflow)}`,
      );
    }
    this.scrollbackLines = options.scrollbackLines ?? 0;
    if (!Number.isInteger(this.scrollbackLines) || this.scrollbackLines < 0) {
      throw new PtyError(
        "invalid_argument",
        `scrollbackLines must be an integer >= 0, got ${String(this.scrollbackLines)}`,
      );
    }
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  get closeReason(): ViewerClose | undefined {
    return this.#closeReason;
  }

  /** Queues a screen taken now; frames pushed from here on follow it. */
  startWithScreen(): void {
    this.#frames = [];
    this.#bufferedBytes = 0;
    this.#screenPending = true;
    const generation = ++this.#generation;
    this.requestScreen(this.scrollbackLines).then(
      (snapshot) => {
        if (generation !== this.#generation || !this.#screenPending) return;
        this.#screenPending = false;
        this.#frames.unshift({ frame: { type: "screen", ...snapshot }, bytes: 0 });
        this.#wakeReaders();
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.abort({ code: "disposed", message: `The screen could not be taken: ${String(error)}` });
      },
    );
  }

  pushOutput(data: string, bytes: number): void {
    if (this.#closeReason) return;
    if (this.#bufferedBytes + bytes > this.maxBufferedBytes) {
      if (this.onOverflow === "resync") {
        // The screen is taken behind this chunk, so dropping it loses nothing on screen.
        this.startWithScreen();
        return;
      }
      this.abort({
        code: "slow_viewer",
        message: `Viewer ${this.id} fell more than ${this.maxBufferedBytes} bytes behind the output and was disconnected; read faster or attach with onOverflow: "resync"`,
      });
      return;
    }
    this.#bufferedBytes += bytes;
    const last = this.#frames.at(-1);
    if (last?.frame.type === "output") {
      last.frame = { type: "output", data: last.frame.data + data };
      last.bytes += bytes;
    } else {
      this.#frames.push({ frame: { type: "output", data }, bytes });
    }
    this.#wakeReaders();
  }

  pushFrame(frame: ViewerFrame): void {
    if (this.#closeReason) return;
    this.#frames.push({ frame, bytes: 0 });
    this.#wakeReaders();
  }

  /** Ends the stream after the frames already queued. */
  end(reason: ViewerClose): void {
    if (this.#closeReason) return;
    this.#setClosed(reason);
    this.#wakeReaders();
  }

  /** Cuts the stream now, dropping what is queued. */
  abort(reason: ViewerClose): void {
    if (this.#closeReason) return;
    this.#frames = [];
    this.#bufferedBytes = 0;
    this.#screenPending = false;
    this.#generation++;
    this.#setClosed(reason);
    this.#wakeReaders();
  }

  close(): void {
    this.abort({ code: "detached", message: `Viewer ${this.id} detached` });
  }

  next(): Promise<IteratorResult<ViewerFrame, undefined>> {
    const ready = this.#take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<ViewerFrame, undefined> {
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  #take(): IteratorResult<ViewerFrame, undefined> | undefined {
    if (!this.#screenPending) {
      const head = this.#frames.shift();
      if (head) {
        this.#bufferedBytes -= head.bytes;
        return { done: false, value: head.frame };
      }
    }
    if (this.#closeReason && !this.#screenPending) return { done: true, value: undefined };
    return undefined;
  }

  #wakeReaders(): void {
    while (this.#readers.length > 0) {
      const result = this.#take();
      if (!result) return;
      this.#readers.shift()!(result);
    }
  }

  #setClosed(reason: ViewerClose): void {
    this.#closeReason = reason;
    this.#resolveClosed(reason);
    this.onClosed(this);
  }
}
