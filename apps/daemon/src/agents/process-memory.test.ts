import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { processTreeRss } from "./process-memory.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("processTreeRss", () => {
  it("counts the processes below a process: a small shell with a node child weighs more than the child", async () => {
    // `; exit` keeps sh as the parent instead of letting it exec node.
    const shell = spawn(
      "sh",
      ["-c", `"${process.execPath}" -e 'console.log(process.pid); setInterval(() => {}, 1 << 30)'; exit`],
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    cleanups.push(() => process.kill(-shell.pid!, "SIGKILL"));
    const [output] = (await once(shell.stdout!, "data")) as [Buffer];
    const nodePid = Number(String(output).trim());

    const child = processTreeRss(nodePid);
    const tree = processTreeRss(shell.pid!);
    expect(child).toBeGreaterThan(10 * 1024 * 1024);
    expect(tree).toBeGreaterThan(child!);
  });

  it("is null for a process that does not exist", async () => {
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(gone, "exit");
    expect(processTreeRss(gone.pid!)).toBeNull();
  });
});
