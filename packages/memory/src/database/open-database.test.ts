import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LOCK_FILE } from "./data-dir-lock.js";
import { type Database, openDatabase } from "./open-database.js";

const HOLDER = fileURLToPath(new URL("../../test/fixtures/hold-database.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cca-pglite-lock-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "data");
}

async function open(dataDir: string): Promise<Database> {
  const database = await openDatabase({ dataDir });
  cleanups.push(() => database.close().catch(() => {}));
  return database;
}

/** Another process that opens the folder and holds it until `release`. */
async function holdInAnotherProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; release(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", HOLDER, dataDir], {
    cwd: PACKAGE_DIR,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => line === "ready" && resolve());
    void exited.then(() => reject(new Error("hold-database.ts exited before it held the folder")));
  });
  return {
    child,
    release: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

/** The pid of a process that has ended. */
async function endedPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

const inUse = (dataDir: string, who: string) =>
  `The embedded database in ${dataDir} is in use by ${who} (another ccad on this CCA home?); stop it (cca daemon stop) or use another CCA_HOME`;

describe("the embedded database's folder lock", { timeout: 60_000 }, () => {
  it("refuses a second opener at once, naming the process that holds the folder, until it closes", async () => {
    const dataDir = scratchDir();
    const holder = await holdInAnotherProcess(dataDir);

    const startedAt = Date.now();
    await expect(openDatabase({ dataDir })).rejects.toMatchObject({
      code: "dependency_unavailable",
      message: inUse(dataDir, `process ${holder.child.pid}`),
    });
    expect(Date.now() - startedAt).toBeLessThan(1_000);

    await holder.release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    await open(dataDir);
  });

  it("refuses a second open in the same process too", async () => {
    const dataDir = scratchDir();
    await open(dataDir);
    await expect(openDatabase({ dataDir })).rejects.toMatchObject({
      code: "dependency_unavailable",
      message: inUse(dataDir, `process ${process.pid}`),
    });
  });

  it("takes over a lock whose process is no longer running, and releases it on close", async () => {
    const dataDir = scratchDir();
    mkdirSync(dataDir, { recursive: true });
    const lockPath = join(dataDir, LOCK_FILE);
    writeFileSync(lockPath, JSON.stringify({ pid: await endedPid(), host: hostname() }));

    const database = await openDatabase({ dataDir });
    expect(JSON.parse(readFileSync(lockPath, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    await database.close();

    expect(existsSync(lockPath)).toBe(false);
    await open(dataDir);
  });

  it("takes over a lock with its own pid that it did not take (a restarted container reuses pids)", async () => {
    const dataDir = scratchDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), nonce: "an earlier process" }),
    );

    await open(dataDir);
  });

  it("respects a lock taken on another host, which it cannot check", async () => {
    const dataDir = scratchDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: 4242, host: "elsewhere.example" }));

    await expect(openDatabase({ dataDir })).rejects.toMatchObject({
      code: "dependency_unavailable",
      message: inUse(dataDir, "process 4242 on elsewhere.example"),
    });
  });
});
