import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BullmqTaskSchedulerOptions } from "../../src/bullmq/index.js";
import type { ScheduledRun } from "../../src/scheduler/task-scheduler.js";
import { within } from "./wait.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/scheduler-daemon.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** A daemon in its own process whose handler never returns. */
export interface DoomedDaemon {
  /** The first task it was handed. */
  readonly firstRun: Promise<ScheduledRun>;
  /** Kills it with SIGKILL (no cleanup of any kind) and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts test/fixtures/scheduler-daemon.ts and resolves once its scheduler is started. */
export async function spawnDoomedDaemon(
  options: BullmqTaskSchedulerOptions,
  timeoutMs = 15_000,
): Promise<DoomedDaemon> {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, CCA_SCHEDULER_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => {};
  let onRun: (run: ScheduledRun) => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const firstRun = new Promise<ScheduledRun>((resolve) => {
    onRun = resolve;
  });
  lines.on("line", (line) => {
    const message = JSON.parse(line) as { ready?: true; started?: ScheduledRun };
    if (message.ready) onReady();
    if (message.started) onRun(message.started);
  });
  const failure = exited.then(() => {
    throw new Error(`The scheduler daemon exited early (code ${child.exitCode}): ${stderr}`);
  });
  failure.catch(() => {});
  await within(
    Promise.race([ready, failure]),
    timeoutMs,
    () => `the scheduler daemon to start; stderr: ${stderr}`,
  );
  return {
    firstRun: Promise.race([firstRun, failure]),
    kill: async () => {
      killHard(child);
      await exited;
    },
  };
}

function killHard(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
