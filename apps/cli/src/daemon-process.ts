import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  watch as watchFile,
  writeFileSync,
} from "node:fs";
import { open, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath } from "node:url";
import type { Env } from "@cca/core";

/** What went wrong while managing the daemon's process, with the context to act on it. */
export class DaemonProcessError extends Error {
  readonly code: "daemon_not_installed" | "daemon_start_failed" | "daemon_stop_failed" | "daemon_log_missing";
  readonly details: { pid?: number; path?: string };

  constructor(
    code: DaemonProcessError["code"],
    message: string,
    options: { cause?: unknown; details?: DaemonProcessError["details"] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "DaemonProcessError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** The files `cca daemon` keeps in the CCA home directory. */
export interface DaemonFiles {
  /** `ccad.pid`: the process id of the daemon `cca daemon start` launched. */
  pidFile: string;
  /** `ccad.log`: the daemon's stdout and stderr. */
  logFile: string;
}

/** Where the pid and log files of the daemon live under `home`. */
export function daemonFiles(home: string): DaemonFiles {
  return { pidFile: join(home, "ccad.pid"), logFile: join(home, "ccad.log") };
}

/** The pid in a pid file, or undefined when there is no file or it holds no pid. */
export function readPidFile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(path: string, pid: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${pid}\n`, { mode: 0o644 });
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** Whether a process with this pid exists (one owned by another user counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether `pid` is alive and looks like a ccad process. Where `/proc` exists (Linux), a live
 * process whose command line does not mention ccad is a stranger that reused a stale pid.
 */
export function isDaemonProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("ccad");
  } catch {
    return true;
  }
}

/**
 * The script that starts ccad: the `bin` of the `ccad` package in the nearest `node_modules`
 * above `fromUrl` (this module, by default).
 */
export function resolveDaemonEntry(fromUrl: string = import.meta.url): string {
  let directory = dirname(fileURLToPath(fromUrl));
  const searched: string[] = [];
  for (;;) {
    const packageDirectory = join(directory, "node_modules", "ccad");
    const manifestPath = join(packageDirectory, "package.json");
    searched.push(packageDirectory);
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
        bin?: string | Record<string, string>;
      };
      const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.ccad;
      if (!bin) {
        throw new DaemonProcessError("daemon_not_installed", `${manifestPath} names no "ccad" bin`, {
          details: { path: manifestPath },
        });
      }
      return resolve(packageDirectory, bin);
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new DaemonProcessError(
    "daemon_not_installed",
    `Cannot find the ccad package (looked for ${searched[0]} and in every folder above). Install ccad next to cca, or run \`ccad\` yourself.`,
  );
}

/** A daemon process this cca started. */
export interface SpawnedDaemon {
  pid: number;
  child: ChildProcess;
  /** Resolves when the process ends, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node <entry>` as its own process group. Its output goes to `logFile` (appended) or, when
 * `logFile` is undefined, to pipes on `child.stdout`/`child.stderr`.
 */
export function spawnDaemon(options: {
  entry: string;
  env: Env;
  cwd: string;
  logFile?: string;
}): SpawnedDaemon {
  let logFd: number | undefined;
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    logFd = openSync(options.logFile, "a");
  }
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.entry], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", logFd ?? "pipe", logFd ?? "pipe"],
    });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once("close", (code, signal) => resolveExit({ code, signal }));
    child.once("error", () => resolveExit({ code: null, signal: null }));
  });
  if (child.pid === undefined) {
    throw new DaemonProcessError(
      "daemon_start_failed",
      `Could not start ${process.execPath} ${options.entry}`,
      {
        details: { path: options.entry },
      },
    );
  }
  return { pid: child.pid, child, exited };
}

/** Resolves true once `pid` no longer exists, or false after `timeoutMs`. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // A process that is not our child gives no exit event, so its existence is polled.
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
}

/** How a stop ended: the process left on SIGTERM, or had to be killed. */
export type StopOutcome = "terminated" | "killed";

/**
 * Sends SIGTERM, waits up to `graceMs` for the process to go, then sends SIGKILL.
 * Throws if the process is still there after that.
 */
export async function stopProcess(pid: number, options: { graceMs: number }): Promise<StopOutcome> {
  if (!signalProcess(pid, "SIGTERM")) return "terminated";
  if (await waitForProcessExit(pid, options.graceMs)) return "terminated";
  signalProcess(pid, "SIGKILL");
  if (await waitForProcessExit(pid, 5_000)) return "killed";
  throw new DaemonProcessError("daemon_stop_failed", `ccad (pid ${pid}) is still running after SIGKILL`, {
    details: { pid },
  });
}

function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw new DaemonProcessError("daemon_stop_failed", `Cannot send ${signal} to ccad (pid ${pid})`, {
      cause: error,
      details: { pid },
    });
  }
}

/**
 * The last `count` lines of a file (without the final newline), read backwards from byte `end`
 * (default: the end of the file) and never before byte `start`.
 */
export async function readLastLines(
  path: string,
  count: number,
  range: { start?: number; end?: number } = {},
): Promise<string[]> {
  if (count <= 0) return [];
  const handle = await open(path, "r");
  try {
    const start = range.start ?? 0;
    const chunkSize = 64 * 1024;
    let position = range.end ?? (await handle.stat()).size;
    let text = "";
    while (position > start && countNewlines(text) <= count) {
      const length = Math.min(chunkSize, position - start);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      text = buffer.toString("utf8") + text;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

function countNewlines(text: string): number {
  let newlines = 0;
  for (const character of text) if (character === "\n") newlines++;
  return newlines;
}

/**
 * Writes whatever is appended to `path` after byte `from` until `signal` aborts. A file that
 * shrinks (truncated or replaced) is read again from its start.
 */
export async function followFile(
  path: string,
  from: number,
  write: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let position = from;
  const decoder = new StringDecoder("utf8");
  const readNew = async () => {
    const { size } = await stat(path);
    if (size < position) position = 0;
    if (size === position) return;
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(size - position);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      position += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text) write(text);
    } finally {
      await handle.close();
    }
  };
  if (signal.aborted) return;
  await new Promise<void>((resolveFollow, rejectFollow) => {
    let reading = Promise.resolve();
    const fail = (error: unknown) => {
      watcher.close();
      rejectFollow(error);
    };
    const enqueueRead = () => {
      reading = reading.then(readNew).catch(fail);
    };
    // The watcher exists before the first read, so nothing appended in between is missed.
    const watcher = watchFile(path, { signal }, enqueueRead);
    watcher.once("error", fail);
    watcher.once("close", () => {
      reading.then(() => resolveFollow(), rejectFollow);
    });
    enqueueRead();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}
