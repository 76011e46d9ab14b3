import { spawn } from "node:child_process";
import { resolveClaudeBinary } from "./claude-binary.ts";

/** How a one-shot `claude` run ended. */
export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the pinned `claude <args>` to completion and resolves with its exit code and output.
 * stdin is closed from the start: with an open pipe `claude -p "prompt"` waits 3 s for
 * piped input before starting.
 */
export function runClaude(
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<ClaudeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(resolveClaudeBinary(), args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
