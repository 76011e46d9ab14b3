import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { resolveClaudeBinary, STREAM_JSON_ARGS } from "../src/claude-binary.ts";

/** A parsed stdout line of `--output-format stream-json`. */
// biome-ignore lint/suspicious/noExplicitAny: stream-json lines have many shapes; tests read fields by key
export type StreamLine = Record<string, any>;

/** Creates a fresh temporary directory; `removeAll` deletes every one created. */
export function createTempDirectories() {
  const created: string[] = [];
  return {
    async make(prefix: string): Promise<string> {
      // realpath: Claude Code names project folders after the real cwd.
      const directory = await realpath(await mkdtemp(join(tmpdir(), prefix)));
      created.push(directory);
      return directory;
    },
    async removeAll(): Promise<void> {
      await Promise.all(
        created.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
      );
    },
  };
}

/** Parses the JSON lines of a stream-json output. */
export function parseStreamLines(stdout: string): StreamLine[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as StreamLine);
}

interface LineWaiter {
  predicate: (line: StreamLine) => boolean;
  resolve: (line: StreamLine) => void;
  reject: (error: Error) => void;
}

/** A long-lived `claude -p --input-format stream-json --output-format stream-json --verbose`. */
export class HeadlessClaude {
  readonly lines: StreamLine[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  #cursor = 0;
  #waiter: LineWaiter | undefined;
  #stderr = "";
  #exited: Promise<number | null>;

  constructor(extraArgs: string[], options: { env: Record<string, string>; cwd: string }) {
    const args = [...STREAM_JSON_ARGS, ...extraArgs];
    this.#child = spawn(resolveClaudeBinary(), args, { env: options.env, cwd: options.cwd, stdio: "pipe" });
    this.#child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    createInterface({ input: this.#child.stdout }).on("line", (text) => {
      if (text.trim() === "") return;
      this.lines.push(JSON.parse(text) as StreamLine);
      this.#check();
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once("close", (code) => {
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter?.reject(
          new Error(`claude exited (${code}) while a line was awaited; stderr: ${this.#stderr}`),
        );
        resolve(code);
      });
    });
  }

  /** Sends one user turn. */
  send(text: string): void {
    const message = {
      type: "user",
      message: { role: "user", content: text },
      parent_tool_use_id: null,
      session_id: "",
    };
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends a raw stream-json input line (e.g. a control_request). */
  sendLine(line: Record<string, unknown>): void {
    this.#child.stdin.write(`${JSON.stringify(line)}\n`);
  }

  /** The next output line (after the previously returned one) that matches. */
  nextLine(predicate: (line: StreamLine) => boolean): Promise<StreamLine> {
    return new Promise((resolve, reject) => {
      this.#waiter = { predicate, resolve, reject };
      this.#check();
    });
  }

  /** The next `result` line: the end of a turn. */
  nextResult(): Promise<StreamLine> {
    return this.nextLine((line) => line.type === "result");
  }

  /** Closes stdin (which ends the process) and waits for the exit code. */
  close(): Promise<number | null> {
    this.#child.stdin.end();
    return this.#exited;
  }

  /** Kills the process if it still runs. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }

  #check(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    while (this.#cursor < this.lines.length) {
      const line = this.lines[this.#cursor++] as StreamLine;
      if (waiter.predicate(line)) {
        this.#waiter = undefined;
        waiter.resolve(line);
        return;
      }
    }
  }
}
