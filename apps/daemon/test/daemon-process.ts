import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connectRedis } from "@cca/core/redis";
import { REDIS_URL } from "./shared-work.js";
import { FAKE_CLAUDE } from "./support.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/daemon-process.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A ccad in a process of its own (test/fixtures/daemon-process.ts), running fake agents. */
export interface DaemonProcess {
  url: string;
  home: string;
  /** The first task whose run it finished. */
  endedTask: Promise<string>;
  /** Settles with the signal that ended the process, once it is gone. */
  died: Promise<NodeJS.Signals | null>;
  /** SIGKILL, and waits for the process to be gone. */
  kill(): Promise<void>;
}

/**
 * Starts a daemon process on the shared `postgresUrl` and the BullMQ queue under
 * `prefix`; `cleanups` gets what kills it and removes its home.
 */
export async function startDaemonProcess(
  options: {
    name: string;
    postgresUrl: string;
    prefix: string;
    lockDurationMs: number;
    dieAfterFirstEnd?: boolean;
  },
  cleanups: (() => Promise<void>)[],
): Promise<DaemonProcess> {
  const home = mkdtempSync(join(tmpdir(), `ccad-${options.name}-`));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    cwd: PACKAGE_DIR,
    env: {
      ...process.env,
      CCA_DAEMON_PROCESS: JSON.stringify({ ...options, home, redisUrl: REDIS_URL, claudePath: FAKE_CLAUDE }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const died = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await died;
  };
  cleanups.push(kill);
  let ended: (id: string) => void = () => {};
  const endedTask = new Promise<string>((resolve) => {
    ended = resolve;
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const message = JSON.parse(line) as { ready?: string; ended?: string };
      if (message.ready) resolve(message.ready);
      if (message.ended) ended(message.ended);
    });
    void died.then(() => reject(new Error(`the daemon process exited before it was ready: ${stderr}`)));
  });
  return { url, home, endedTask, died, kill };
}

/** A BullMQ key prefix of the test's own, and a cleanup that deletes its keys. */
export function scratchPrefix(cleanups: (() => Promise<void>)[]): string {
  const prefix = `cca-test-${process.pid}-${Date.now()}:`;
  cleanups.push(async () => {
    const redis = await connectRedis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return prefix;
}
