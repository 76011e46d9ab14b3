import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isProcessAlive, readLastLines, readPidFile, resolveDaemonEntry } from "./daemon-process.ts";

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "cca-cli-process-"));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("pid files", () => {
  it("reads a pid, and nothing from a missing or garbled file", () => {
    const path = join(directory, "ccad.pid");
    expect(readPidFile(path)).toBeUndefined();
    writeFileSync(path, "1234\n");
    expect(readPidFile(path)).toBe(1234);
    writeFileSync(path, "not a pid");
    expect(readPidFile(path)).toBeUndefined();
  });

  it("tells live processes from gone ones", async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    expect(isProcessAlive(child.pid!)).toBe(false);
  });
});

describe("readLastLines", () => {
  it("returns the last lines, within a byte range", async () => {
    const path = join(directory, "log");
    writeFileSync(path, "a\nb\nc\nd\n");

    expect(await readLastLines(path, 2)).toEqual(["c", "d"]);
    expect(await readLastLines(path, 10)).toEqual(["a", "b", "c", "d"]);
    expect(await readLastLines(path, 10, { start: 4 })).toEqual(["c", "d"]);
    expect(await readLastLines(path, 1, { end: 4 })).toEqual(["b"]);
    expect(await readLastLines(path, 0)).toEqual([]);
  });

  it("reads lines that span more than one chunk", async () => {
    const path = join(directory, "big");
    const long = "x".repeat(100_000);
    writeFileSync(path, `first\n${long}\nlast\n`);

    expect(await readLastLines(path, 2)).toEqual([long, "last"]);
  });
});

describe("resolveDaemonEntry", () => {
  it("finds the bin of the ccad package this CLI depends on", () => {
    const entry = resolveDaemonEntry();

    expect(entry).toMatch(/ccad[/\\]bin[/\\]ccad\.js$|daemon[/\\]bin[/\\]ccad\.js$/);
    expect(existsSync(entry)).toBe(true);
  });
});
