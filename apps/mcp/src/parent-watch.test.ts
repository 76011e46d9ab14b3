import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const watch = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** A child that watches its parent and prints "orphaned" when it notices the parent is gone. */
function childScript(): string {
  const path = join(tmpdir(), `parent-watch-${process.pid}.mjs`);
  writeFileSync(
    path,
    `import { exitWithParent } from ${JSON.stringify(watch)};
exitWithParent(() => { process.stdout.write("orphaned\\n"); process.exit(0); }, { intervalMs: 20 });
process.stdout.write("watching\\n");
setInterval(() => {}, 1000);`,
  );
  return path;
}

describe("exitWithParent", () => {
  it("ends a child whose parent died without closing anything", async () => {
    const script = childScript();
    // The middle process starts the watcher detached from our pipes, reports its pid, and dies.
    const middle = spawn(
      process.execPath,
      [
        "-e",
        `const c = require("child_process").spawn(process.execPath, [${JSON.stringify(script)}], { stdio: ["ignore", "pipe", "ignore"] });
         c.stdout.once("data", () => { process.stdout.write(String(c.pid)); process.exit(0); });`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let pidText = "";
    middle.stdout.on("data", (chunk) => (pidText += chunk));
    await new Promise((resolve) => middle.once("exit", resolve));
    const pid = Number(pidText);
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive()).toBe(false);
  });
});
