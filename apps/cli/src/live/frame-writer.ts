/** Where frames go: raw text out, and the terminal's width for counting wrapped lines. */
export interface FrameOutput {
  write(text: string): void;
  /** Columns of the terminal, for lines that wrap. */
  columns(): number;
  /** A terminal redraws in place; anything else gets a new frame per change. */
  isTerminal: boolean;
}

/** Shows successive frames of a live view (`--watch`). */
export interface FrameWriter {
  /**
   * Shows `frame`. On a terminal it replaces the previous frame in place (ANSI: cursor up over
   * it, clear to the end of the screen). Elsewhere it is printed below the last one, after a
   * blank line, and only when `key` (by default the frame itself) differs from the last one
   * printed, so a log holds one frame per change. Returns whether anything was written.
   */
  show(frame: string, key?: string): boolean;
}

const CURSOR_UP = (rows: number) => `\u001b[${rows}A`;
const CLEAR_TO_END = "\r\u001b[J";

/** Creates a frame writer over `output`. */
export function createFrameWriter(output: FrameOutput): FrameWriter {
  let previousRows = 0;
  let previousKey: string | undefined;
  let shown = 0;
  return {
    show(frame, key = frame) {
      if (!output.isTerminal) {
        if (key === previousKey) return false;
        previousKey = key;
        output.write(`${shown > 0 ? "\n" : ""}${frame}\n`);
        shown += 1;
        return true;
      }
      const erase = previousRows > 0 ? `${CURSOR_UP(previousRows)}${CLEAR_TO_END}` : "";
      // One write per frame, so the terminal never shows a half-drawn one.
      output.write(`${erase}${frame}\n`);
      previousRows = countRows(frame, output.columns());
      shown += 1;
      return true;
    },
  };
}

/** How many terminal rows `text` takes, counting lines that wrap at `columns`. */
export function countRows(text: string, columns: number): number {
  const width = Math.max(1, columns);
  return text.split("\n").reduce((rows, line) => rows + Math.max(1, Math.ceil([...line].length / width)), 0);
}
