// Pieces of a daemon's start, each timed in a fresh Node process as ccad's own would be.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const STAGED_START = new URL("./fixtures/staged-start.mjs", import.meta.url);

/** Milliseconds from spawning `node -e 0` (Node's own start and exit) to its exit. */
export async function nodeStartMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`node -e 0 exited with ${code}`);
  return performance.now() - started;
}

/** Where one start's time went, in milliseconds (see fixtures/staged-start.mjs). */
export interface StartStages {
  /** Node's own start, up to the first line of the program. */
  bootstrap: number;
  /** Loading the daemon's modules and their dependencies. */
  modules: number;
  /** `openDaemonStorage`: open the database, apply migrations (none left), make the scheduler. */
  storageOpen: number;
  /** `createDaemon` and `listen`: register, serve, the first recovery pass, scheduler start. */
  listen: number;
}

/** Starts a daemon's stages in a fresh process with the environment a ccad on this home gets. */
export async function stagedStart(env: Record<string, string>): Promise<StartStages> {
  const { stdout } = await promisify(execFile)(process.execPath, [STAGED_START.pathname], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return JSON.parse(stdout) as StartStages;
}
