import { truncateToWidth } from "../layout/text-width.js";

/** Where frames go: raw text out, and the terminal's size for fitting frames into it. */
export interface FrameOutput {
  write(text: string): void;
  /** Columns of the terminal: longer lines are cut with `…`. */
  columns(): number;
  /** Rows of the terminal, when known: taller frames are clipped to fit. */
  rows?: () => number | undefined;
  /** A terminal redraws in place; anything else gets a new frame per change. */
  isTerminal: boolean;
}

/** Shows successive frames of a live view (`--watch`). */
export interface FrameWriter {
  /**
   * Shows `frame`. On a terminal it replaces the previous frame in place (ANSI: cursor up over
   * it, clear to the end of the screen), its lines cut to the width and the frame clipped to the
   * height, so nothing scrolls into the scrollback. Elsewhere it is printed in full below the
   * last one, after a blank line, and only when `key` (by default the frame itself) differs
   * from the last one printed, so a log holds one frame per change. Returns whether anything
   * was written.
   */
  show(frame: string, key?: string): boolean;
  /** On a terminal, erases the frame shown last (so a final report can take its place). */
  clear(): void;
}

const CURSOR_UP = (rows: number) => `\u001b[${rows}A`;
const CLEAR_TO_END = "\r\u001b[J";

/** Creates a frame writer over `output`. */
export function createFrameWriter(output: FrameOutput): FrameWriter {
  let previousRows = 0;
  let previousKey: string | undefined;
  let shown = 0;
  const erase = () => (previousRows > 0 ? `${CURSOR_UP(previousRows)}${CLEAR_TO_END}` : "");
  return {
    show(frame, key = frame) {
      if (!output.isTerminal) {
        if (key === previousKey) return false;
        previousKey = key;
        output.write(`${shown > 0 ? "\n" : ""}${frame}\n`);
        shown += 1;
        return true;
      }
      const lines = clipFrame(frame, output.columns(), output.rows?.());
      // One write per frame, so the terminal never shows a half-drawn one.
      output.write(`${erase()}${lines.join("\n")}\n`);
      previousRows = lines.length;
      shown += 1;
      return true;
    },
    clear() {
      if (!output.isTerminal || previousRows === 0) return;
      output.write(erase());
      previousRows = 0;
    },
  };
}

/**
 * The lines of `frame` as a terminal of `columns` × `rows` shows them without scrolling: each
 * cut to the width, and at most `rows - 1` of them (the cursor waits on the row below), the
 * last one saying how many were left out.
 */
export function clipFrame(frame: string, columns: number, rows?: number): string[] {
  const width = Math.max(1, columns);
  const lines = frame.split("\n").map((line) => truncateToWidth(line, width));
  if (rows === undefined || rows < 2 || lines.length <= rows - 1) return lines;
  const kept = lines.slice(0, Math.max(0, rows - 2));
  const hidden = lines.length - kept.length;
  kept.push(
    truncateToWidth(`… ${hidden} more line${hidden === 1 ? "" : "s"} (a taller window shows them)`, width),
  );
  return kept;
}
