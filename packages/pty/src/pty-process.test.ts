import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanUp, fixture, recordOutput } from "../test/helpers.js";
import { isPtyError, type PtyErrorCode } from "./errors.js";
import { spawnPty } from "./pty-process.js";

const node = process.execPath;

function expectPtyError(action: () => unknown, code: PtyErrorCode, message: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(isPtyError(error, code), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected a PtyError ${code}, nothing was thrown`);
}

describe("spawnPty", () => {
  it("delivers typed input to the program and its answer back", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("echo.js")]));
    const output = recordOutput(pty);
    await output.waitFor("ready");
    pty.write("hello pty\r");
    await output.waitFor("echo: hello pty");
  });

  it("runs the program in the given cwd with the given env and size", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "cca-pty-"));
    const pty = cleanUp(
      spawnPty("sh", ["-c", 'echo "$PWD|$GREETING|$(stty size)|$TERM"'], {
        cwd,
        env: { PATH: process.env.PATH, GREETING: "hi there" },
        cols: 91,
        rows: 17,
      }),
    );
    const output = recordOutput(pty);
    await pty.waitForExit(5000);
    expect(output.text).toContain(`${cwd}|hi there|17 91|xterm-256color`);
  });

  it("tells the program about a resize, which it sees on SIGWINCH", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("size.js")], { cols: 80, rows: 24 }));
    const output = recordOutput(pty);
    await output.waitFor("size 80x24");
    pty.resize(120, 40);
    await output.waitFor("size 120x40");
    expect({ cols: pty.cols, rows: pty.rows }).toEqual({ cols: 120, rows: 40 });
  });

  it("reports the exit code, after all the output", async () => {
    const pty = spawnPty(node, [fixture("exit.js"), "code", "3"]);
    const output = recordOutput(pty);
    expect(await pty.waitForExit(5000)).toEqual({ code: 3, signal: null });
    expect(output.text).toContain("exiting by code 3");
    expect(pty.exit).toEqual({ code: 3, signal: null });
  });

  it("delivers all the output a process prints just before it exits", async () => {
    // A fast writer and a reader busy with each chunk (waitFor scans all the output each time):
    // the output still in the kernel when the writer exits must arrive all the same.
    const pty = spawnPty("sh", ["-c", "seq 1 300000; echo done"]);
    const output = recordOutput(pty);
    await output.waitFor("\n300000\r\ndone\r\n", 20_000);
    expect(await pty.waitForExit(5000)).toEqual({ code: 0, signal: null });
    expect(output.text.match(/^\d+\r$/gm)).toHaveLength(300_000);
  }, 30_000);

  it("reports a death by signal with the signal's name and no code", async () => {
    const pty = spawnPty(node, [fixture("exit.js"), "signal", "SIGHUP"]);
    expect(await pty.waitForExit(5000)).toEqual({ code: null, signal: "SIGHUP" });
  });

  it("calls exit listeners that subscribe after the exit", async () => {
    const pty = spawnPty(node, [fixture("exit.js"), "code", "0"]);
    await pty.waitForExit(5000);
    const exit = await new Promise((resolve) => pty.onExit(resolve));
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it("kill sends SIGTERM first, and a process that exits on it is not SIGKILLed", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("sigterm.js"), "exit"]));
    const output = recordOutput(pty);
    await output.waitFor("ready");
    expect(await pty.kill({ graceMs: 5000 })).toEqual({ code: 0, signal: null });
    expect(output.text).toContain("got SIGTERM");
  });

  it("kill escalates to SIGKILL when the process ignores SIGTERM past the grace period", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("sigterm.js"), "ignore"]));
    await recordOutput(pty).waitFor("ready");
    expect(await pty.kill({ graceMs: 200 })).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("kill of a process that has exited returns its exit", async () => {
    const pty = spawnPty(node, [fixture("exit.js"), "code", "4"]);
    await pty.waitForExit(5000);
    expect(await pty.kill()).toEqual({ code: 4, signal: null });
  });

  it("waitForExit fails with timeout while the process runs on", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("echo.js")]));
    await expect(pty.waitForExit(50)).rejects.toMatchObject({ code: "timeout", details: { pid: pty.pid } });
  });

  it("refuses writes once the process has exited", async () => {
    const pty = spawnPty(node, [fixture("exit.js"), "code", "0"]);
    await pty.waitForExit(5000);
    expectPtyError(() => pty.write("late\r"), "process_exited", /has exited/);
  });

  it.each([
    [{ cols: 0 }, /cols must be an integer from 1 to 2000, got 0/],
    [{ rows: 2.5 }, /rows must be an integer from 1 to 2000, got 2.5/],
    [{ cols: 5000 }, /cols must be an integer from 1 to 2000, got 5000/],
  ])("rejects a bad size %o before spawning", (size, message) => {
    expectPtyError(() => spawnPty(node, [], size), "invalid_argument", message);
  });

  it("rejects a bad resize and keeps the old size", async () => {
    const pty = cleanUp(spawnPty(node, [fixture("echo.js")], { cols: 80, rows: 24 }));
    expectPtyError(() => pty.resize(-1, 10), "invalid_argument", /cols must be an integer/);
    expectPtyError(() => pty.resize(10, Number.NaN), "invalid_argument", /rows must be an integer/);
    expect({ cols: pty.cols, rows: pty.rows }).toEqual({ cols: 80, rows: 24 });
  });

  it("names a command missing from PATH", () => {
    expectPtyError(
      () => spawnPty("no-such-program-cca", [], { env: { PATH: "/usr/bin:/bin" } }),
      "command_not_found",
      /Command "no-such-program-cca" was not found on PATH \(\/usr\/bin:\/bin\)/,
    );
  });

  it("names a working directory that does not exist", () => {
    expectPtyError(
      () => spawnPty(node, [], { cwd: "/no/such/dir" }),
      "cwd_not_found",
      /\/no\/such\/dir does not exist/,
    );
  });

  it("rejects arguments that are not strings, and unknown signals", async () => {
    expectPtyError(
      () => spawnPty(node, [1 as unknown as string]),
      "invalid_argument",
      /args\[0\] must be a string/,
    );
    const pty = cleanUp(spawnPty(node, [fixture("echo.js")]));
    expectPtyError(
      () => pty.signal("SIGNOPE" as NodeJS.Signals),
      "invalid_argument",
      /Unknown signal "SIGNOPE"/,
    );
  });
});
