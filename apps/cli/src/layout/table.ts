import { displayWidth, truncateToWidth } from "./text-width.js";

/** A table cell: plain text, or text with a paint (a colour) applied once it is laid out. */
export type Cell = string | { text: string; paint: (text: string) => string };

/** The last column keeps at least this many columns, even on a narrow terminal. */
const MIN_LAST_COLUMN = 12;
/** No other column grows wider than this; longer cells are cut with `…`. */
const MAX_COLUMN = 24;

/**
 * A plain-text table: columns padded to their widest cell (measured in terminal columns, not
 * characters), two spaces apart. Columns other than the last are capped at 24 columns; the last
 * one is cut so each line fits `width`. Every line fits `width`, whatever the cells hold.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  width: number,
): string {
  const lastIndex = header.length - 1;
  // Cells stay on one line; the last column's whitespace is collapsed, the others' kept (tree lines).
  const text = (cell: Cell | undefined, index: number) => {
    const raw = cell === undefined ? "" : typeof cell === "string" ? cell : cell.text;
    return index === lastIndex ? raw.replace(/\s+/g, " ").trim() : raw.replace(/[\r\n\t]+/g, " ");
  };
  const widths = header.map((title, index) =>
    Math.min(
      index === lastIndex ? Number.POSITIVE_INFINITY : MAX_COLUMN,
      Math.max(displayWidth(title), ...rows.map((row) => displayWidth(text(row[index], index)))),
    ),
  );
  const fixed = widths.slice(0, lastIndex).reduce((sum, columnWidth) => sum + columnWidth + 2, 0);
  const lastWidth = Math.max(MIN_LAST_COLUMN, width - fixed);
  const line = (cells: readonly Cell[]) =>
    truncateToWidth(
      header
        .map((_, index) => {
          const cell = cells[index];
          const fitted = truncateToWidth(
            text(cell, index),
            index === lastIndex ? lastWidth : (widths[index] ?? 0),
          );
          const painted = cell !== undefined && typeof cell !== "string" ? cell.paint(fitted) : fitted;
          return index === lastIndex
            ? painted
            : painted + " ".repeat((widths[index] ?? 0) - displayWidth(fitted));
        })
        .join("  ")
        .trimEnd(),
      width,
    );
  return [line(header), ...rows.map(line)].join("\n");
}

/** Each line of `text` cut to `width` columns with `…`. */
export function fitLines(text: string, width: number): string {
  return text
    .split("\n")
    .map((line) => truncateToWidth(line, width))
    .join("\n");
}
