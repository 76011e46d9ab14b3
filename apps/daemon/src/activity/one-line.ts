/** `text` on one line (whitespace runs become single spaces), cut to `limit` characters with an ellipsis. */
export function oneLine(text: string, limit: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
