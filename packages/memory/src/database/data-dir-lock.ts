import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { CcaError } from "@cca/core";

/** The file in PGlite's data folder that says which process has it open. */
export const LOCK_FILE = ".cca-lock";

/** What the lock file holds. */
interface LockHolder {
  pid: number;
  host: string;
  /** Tells this process's lock from a stale one left by an earlier process with the same pid. */
  nonce: string;
  since: string;
}

/** The data folders this process holds, by (absolute) lock path, with the nonce it wrote. */
const held = new Map<string, string>();

/** An exclusive hold on a data folder; `release` gives it up (once; later calls do nothing). */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data folder for this process: creates `<dir>/.cca-lock` (pid, host) if there is
 * none, or replaces one whose process is gone (same host, pid not running). PGlite does not
 * lock its folder, and two processes that open one corrupt it; so a folder held by a live
 * process (or one on another host, which cannot be checked) is refused at once with
 * `dependency_unavailable`.
 */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(resolve(dir), LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    nonce: randomUUID(),
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(holder)}\n`;
  // A few rounds: each one that fails has moved a stale lock aside, or met a racing opener.
  for (let round = 0; round < 3; round += 1) {
    if (create(path, text)) {
      held.set(path, holder.nonce);
      return { release: () => release(path, holder.nonce) };
    }
    const existing = readLock(path);
    if (existing === undefined) continue;
    if (existing.holder && isLive(existing.holder, path)) throw inUse(dir, existing.holder);
    setAside(path, existing.text);
  }
  throw inUse(dir, readLock(path)?.holder ?? undefined);
}

/**
 * Creates the lock file with its content in one step (written aside, then linked: the link
 * fails if the file exists), so nobody ever reads a half-written lock; on a filesystem
 * without hard links, with `wx`. False if it exists.
 */
function create(path: string, text: string): boolean {
  const draft = `${path}.new-${process.pid}-${randomUUID()}`;
  try {
    writeFileSync(draft, text, { flag: "wx", mode: 0o644 });
    try {
      linkSync(draft, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw error;
      writeFileSync(path, text, { flag: "wx", mode: 0o644 });
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new CcaError(
      "dependency_unavailable",
      `Could not lock the embedded database in ${dirname(path)}: ${(error as Error).message}`,
      { cause: error, details: { dependency: "pglite", location: dirname(path) } },
    );
  } finally {
    rmSync(draft, { force: true });
  }
}

function release(path: string, nonce: string): void {
  if (held.get(path) !== nonce) return;
  held.delete(path);
  // Only our own: a lock that someone replaced (it was judged stale) is theirs now.
  if (readLock(path)?.holder?.nonce === nonce) rmSync(path, { force: true });
}

/** The lock's text and, if it parses, its holder; undefined when there is no lock file. */
function readLock(path: string): { text: string; holder: LockHolder | null } | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") {
      return { text, holder: { nonce: "", since: "", ...parsed } as LockHolder };
    }
  } catch {
    // Not a lock this code wrote (it writes whole files): nobody's.
  }
  return { text, holder: null };
}

function isLive(holder: LockHolder, path: string): boolean {
  if (holder.host !== hostname()) return true;
  // Our pid but not our lock: left by an earlier process that had this pid (a restarted container).
  if (holder.pid === process.pid) return held.get(path) === holder.nonce;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves a stale lock out of the way, unless another opener replaced it meanwhile: the move
 * takes whatever file is there, so one that is not the stale one is put back.
 */
function setAside(path: string, staleText: string): void {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (readFileSync(aside, "utf8") !== staleText) linkSync(aside, path);
  } catch {
    // Someone holds the folder again; the next round reads their lock.
  } finally {
    rmSync(aside, { force: true });
  }
}

function inUse(dir: string, holder: LockHolder | undefined): CcaError {
  const who = holder
    ? `process ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`}`
    : "another process";
  return new CcaError(
    "dependency_unavailable",
    `The embedded database in ${dir} is in use by ${who} (another ccad on this CCA home?); stop it (cca daemon stop) or use another CCA_HOME`,
    { details: { dependency: "pglite", location: dir, pid: holder?.pid, host: holder?.host } },
  );
}
