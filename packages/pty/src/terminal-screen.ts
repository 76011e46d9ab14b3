import { SerializeAddon } from "@xterm/addon-serialize";
import xtermHeadless from "@xterm/headless";
import { PtyError } from "./errors.js";

// @xterm/headless is CommonJS; Node's ESM loader sees only its default export.
const { Terminal } = xtermHeadless;

/** The emulator's screen at one point of the output stream. */
export interface ScreenSnapshot {
  /** Escape sequences that redraw the screen (and `scrollbackLines` lines above it) on a blank terminal. */
  readonly data: string;
  readonly cols: number;
  readonly rows: number;
  /** Where the cursor is, 0-based from the top-left of the visible screen. */
  readonly cursor: { readonly x: number; readonly y: number };
}

export interface TerminalScreenOptions {
  cols: number;
  rows: number;
  /** Lines the emulator keeps above the screen. */
  scrollbackLines: number;
  /** Called with the emulator's answers to the program's queries (cursor position, device attributes). */
  onReply?: (data: string) => void;
}

/**
 * A headless xterm fed with a program's output. Writes are parsed asynchronously and in order;
 * `snapshot` and `resize` are queued behind the writes made before them, so a snapshot shows
 * exactly the output written before it was asked for.
 */
export class TerminalScreen {
  readonly #terminal: InstanceType<typeof Terminal>;
  readonly #serializer = new SerializeAddon();
  /** Rejecters of the snapshots still queued, failed on dispose (a disposed xterm never calls back). */
  readonly #waiting = new Set<(error: Error) => void>();
  #pendingBytes = 0;
  #disposed = false;

  constructor(options: TerminalScreenOptions) {
    this.#terminal = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollbackLines,
      allowProposedApi: true,
    });
    this.#terminal.loadAddon(this.#serializer);
    const onReply = options.onReply;
    if (onReply) this.#terminal.onData((data) => onReply(data));
  }

  get cols(): number {
    return this.#terminal.cols;
  }

  get rows(): number {
    return this.#terminal.rows;
  }

  /** Output written but not parsed yet, in UTF-16 units. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  write(data: string, onParsed?: () => void): void {
    if (this.#disposed) return;
    this.#pendingBytes += data.length;
    this.#terminal.write(data, () => {
      this.#pendingBytes -= data.length;
      onParsed?.();
    });
  }

  resize(cols: number, rows: number): void {
    this.#afterPendingWrites(() => this.#terminal.resize(cols, rows));
  }

  /** The screen once every write made before this call has been parsed. */
  snapshot(options: { scrollbackLines?: number } = {}): Promise<ScreenSnapshot> {
    return new Promise((resolve, reject) => {
      if (this.#disposed) {
        reject(new PtyError("disposed", "The terminal screen was disposed; no snapshot can be taken"));
        return;
      }
      this.#afterPendingWrites(() => resolve(this.#serialize(options.scrollbackLines ?? 0)), reject);
    });
  }

  /** The visible screen as plain text, one string per row, trailing blanks trimmed. */
  async text(): Promise<string[]> {
    await this.snapshot();
    const buffer = this.#terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.#terminal.rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? "");
    }
    return lines;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const reject of this.#waiting) {
      reject(new PtyError("disposed", "The terminal screen was disposed before the snapshot was taken"));
    }
    this.#waiting.clear();
    this.#terminal.dispose();
  }

  #afterPendingWrites(action: () => void, reject?: (error: Error) => void): void {
    if (reject) this.#waiting.add(reject);
    this.#terminal.write("", () => {
      if (reject) this.#waiting.delete(reject);
      if (!this.#disposed) action();
    });
  }

  #serialize(scrollbackLines: number): ScreenSnapshot {
    const buffer = this.#terminal.buffer.active;
    return {
      data: this.#serializer.serialize({ scrollback: scrollbackLines }),
      cols: this.#terminal.cols,
      rows: this.#terminal.rows,
      cursor: { x: buffer.cursorX, y: buffer.cursorY },
    };
  }
}
