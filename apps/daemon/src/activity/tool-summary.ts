const SUMMARY_LIMIT = 120;

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > SUMMARY_LIMIT ? `${line.slice(0, SUMMARY_LIMIT - 1)}…` : line;
}

/** A one-line account of a tool call, e.g. `Bash: npm test` or `Edit: src/app.ts`. */
export function summarizeToolUse(name: string, input: Record<string, unknown>): string {
  const pick = ["command", "file_path", "path", "pattern", "url", "description", "prompt", "task"]
    .map((key) => input[key])
    .find((value): value is string => typeof value === "string" && value.length > 0);
  return pick ? `${name}: ${clip(pick)}` : name;
}
