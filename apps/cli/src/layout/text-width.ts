import stringWidth from "string-width";

const ESC = "\u001b";

/** Matches one ANSI escape sequence (colour, cursor): it takes no columns. */
const ANSI_SEQUENCE = new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]`, "y");
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** How many terminal columns `text` takes: wide characters count 2, escape codes and combining marks 0. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` padded with spaces at the end to `width` columns. */
export function padEndToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` padded with spaces at the start to `width` columns. */
export function padStartToWidth(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when cut. Escape codes are kept (and a
 * colour cut short is reset), so coloured text can be fitted after it is painted.
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  const room = width - 1;
  let out = "";
  let used = 0;
  let styled = false;
  let index = 0;
  while (index < text.length) {
    ANSI_SEQUENCE.lastIndex = index;
    const sequence = ANSI_SEQUENCE.exec(text);
    if (sequence) {
      out += sequence[0];
      styled = true;
      index += sequence[0].length;
      continue;
    }
    const next = text.indexOf(ESC, index);
    const plain = text.slice(index, next === -1 ? text.length : next);
    for (const { segment } of graphemes.segment(plain)) {
      const columns = stringWidth(segment);
      if (used + columns > room) return `${out}…${styled ? `${ESC}[0m` : ""}`;
      out += segment;
      used += columns;
    }
    index += plain.length;
  }
  return out;
}

/** `text` on one line (whitespace collapsed), cut to `width` columns with an ellipsis. */
export function truncateLine(text: string, width: number): string {
  return truncateToWidth(text.replace(/\s+/g, " ").trim(), width);
}
