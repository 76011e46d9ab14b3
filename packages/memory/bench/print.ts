// How the package's benchmarks show their figures: they are programs, and their output is stdout.

/** Writes one line of a benchmark's report. */
export const print = (text: string) => process.stdout.write(`${text}\n`);

/** A Markdown table: a header row, a rule, and one row per entry, columns padded to fit. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}
