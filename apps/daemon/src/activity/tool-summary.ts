import { oneLine } from "./one-line.js";

const SUMMARY_LIMIT = 120;

/** A one-line account of a tool call, e.g. `Bash: npm test` or `Edit: src/app.ts`. */
export function summarizeToolUse(name: string, input: Record<string, unknown>): string {
  const pick = ["command", "file_path", "path", "pattern", "url", "description", "prompt", "task"]
    .map((key) => input[key])
    .find((value): value is string => typeof value === "string" && value.length > 0);
  return pick ? `${name}: ${oneLine(pick, SUMMARY_LIMIT)}` : name;
}
