import { CcaError } from "@cca/core";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";
import { fastForward, twoFileChanges } from "../../test/fixtures/task-branch.js";

const open = commandCenterSessions();

describe("cca_apply", () => {
  it("says which branch the task was applied to, how, and the files", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add /health", status: "completed" });
    const changes = twoFileChanges(task.id, "task_9");
    daemon.setBranch(task.id, { changes, diff: "", apply: fastForward(task.id, changes) });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_apply", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        `Applied cca/${task.id} to main as a fast-forward (now at 9f8e7d6): 2 files, +9 -1`,
        "  M src/app.ts +1 -1",
        "  A src/health.ts +8 -0",
      ].join("\n"),
    );
    expect(daemon.calls).toContain("applyTask");
  });

  it("answers a refusal as an error with the daemon's message naming the files, and every file", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Refactor", status: "completed" });
    const files = ["a.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts"];
    const refusal = new CcaError(
      "apply_would_overwrite",
      "Applying cca/task_1 in /home/ada/shop would overwrite your uncommitted or untracked a.ts, b.ts, c.ts, d.ts, e.ts and 1 more; commit, move or discard them, then apply again. Nothing was changed.",
      { details: { status: 409, files } },
    );
    daemon.setBranch(task.id, { changes: twoFileChanges(task.id, "p"), diff: "", apply: refusal });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_apply", arguments: { task_id: task.id } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `Did not apply task ${task.id} [apply_would_overwrite]: ${refusal.message}\nFiles: ${files.join(", ")}`,
    );
  });

  it("passes on a daemon that cannot be reached as a failure, not a refusal", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.failWith(new CcaError("daemon_unreachable", "The CCA daemon is not reachable"));
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_apply", arguments: { task_id: "task_1" } });
    expect(textOf(result)).toBe(
      "Could not apply task task_1 [daemon_unreachable]: The CCA daemon is not reachable",
    );
  });
});
