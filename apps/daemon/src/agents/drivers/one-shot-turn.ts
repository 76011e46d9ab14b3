import { spawn } from "node:child_process";
import { CcaError, type Logger } from "@cca/core";
import type { TurnOutcome } from "../agent-driver.js";
import { endProcessGroup, signalProcessGroup } from "../process-group.js";
import { spawnFailure } from "./spawn-failure.js";
import { parseStreamLine } from "./stream-json.js";

/** The most of Claude Code's output kept: its answer is one line of JSON. */
const STDOUT_LIMIT = 1024 * 1024;
/** How much of stderr an error quotes. */
const STDERR_TAIL = 2_000;
/** How long a process sent SIGTERM may take before it is sent SIGTERM again, then SIGKILL. */
const END_GRACE_MS = 1_000;

export interface OneShotTurnOptions {
  claudePath: string;
  /** After `-p --output-format json`: model, prompts, tools, schema. */
  args: string[];
  /** The user turn, written to stdin (so it never shows in the process list). */
  prompt: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The turn, start-up included, ends by then or is stopped with a `timeout` error. */
  timeoutMs: number;
  /** Aborting stops the process; the turn rejects with `interrupted`. */
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * Runs one `claude -p` turn outside any agent (e.g. the ReasoningBank's distiller) to its
 * end, within a deadline, and resolves with its result line: the caller checks `isError`.
 * The process runs in a group of its own, which a deadline or abort ends in bounded time.
 */
export function runOneShotTurn(options: OneShotTurnOptions): Promise<TurnOutcome> {
  const { claudePath, logger } = options;
  return new Promise<TurnOutcome>((resolve, reject) => {
    const child = spawn(claudePath, ["-p", "--output-format", "json", ...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let stopped: CcaError | null = null;
    const exited = new Promise<void>((done) => child.once("close", () => done()));
    const stop = (error: CcaError) => {
      if (stopped) return;
      stopped = error;
      // Its stdin is closed already: ask it to end at once, then make sure it does.
      signalProcessGroup(child, "SIGTERM");
      void endProcessGroup({ child, exited, graceMs: END_GRACE_MS, logger });
    };
    const timer = setTimeout(
      () => stop(new CcaError("timeout", `Claude Code's turn did not end within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = () =>
      stop(new CcaError("interrupted", "The turn was stopped: the daemon is shutting down"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    child.stdin.on("error", (error) =>
      logger.debug("one-shot turn's stdin closed", { error: error.message }),
    );
    child.stdin.end(options.prompt);
    const settle = (outcome: () => TurnOutcome) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    child.once("error", (error: NodeJS.ErrnoException) =>
      settle(() => {
        throw spawnFailure(claudePath, error);
      }),
    );
    child.once("close", (code, signal) =>
      settle(() => {
        if (stopped) throw stopped;
        const result = resultLine(stdout);
        if (result) return result;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        throw new CcaError(
          "turn_failed",
          `Claude Code exited (${how}) without a result${stderr.trim() ? `: ${stderr.trim()}` : ""}`,
        );
      }),
    );
  });
}

/** The result line of `--output-format json` output, or null when there is none (or it is malformed). */
function resultLine(stdout: string): TurnOutcome | null {
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (!last) return null;
  try {
    const [line] = parseStreamLine(last);
    return line?.type === "result" ? line.result : null;
  } catch {
    return null;
  }
}
