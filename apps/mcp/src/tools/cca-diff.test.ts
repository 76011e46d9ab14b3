import { CcaError } from "@cca/core";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";
import { fastForward, twoFileChanges } from "../../test/fixtures/task-branch.js";
import { DIFF_SHOWN_CHARS } from "./cca-diff.js";

const open = commandCenterSessions();

const workspace = (base: string) => ({
  isolation: "worktree" as const,
  branch: null,
  base,
  commit: null,
  note: null,
  applied: null,
});

const PATCH =
  "diff --git a/src/app.ts b/src/app.ts\n--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1 +1 @@\n-a\n+b\n";

describe("cca_diff", () => {
  it("answers the patch of the task's branch against its base", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({
      description: "Fix",
      workspace: { ...workspace("1a2b3c4d5e"), branch: "cca/task_1" },
    });
    const changes = twoFileChanges(task.id, "task_9");
    daemon.setBranch(task.id, { changes, diff: PATCH, apply: fastForward(task.id, changes) });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_diff", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Patch of cca/task_1 against 1a2b3c4 (git diff 1a2b3c4 cca/task_1):\n\n\`\`\`diff\n${PATCH}\`\`\``,
    );
  });

  it("cuts a long patch at a line and says how much was left out", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Big", workspace: workspace("1a2b3c4d5e") });
    const line = `+${"x".repeat(99)}\n`;
    const patch = line.repeat(Math.ceil(DIFF_SHOWN_CHARS / line.length) + 10);
    const changes = twoFileChanges(task.id, "task_9");
    daemon.setBranch(task.id, { changes, diff: patch, apply: fastForward(task.id, changes) });
    const client = await open(daemon);
    const text = textOf(await client.callTool({ name: "cca_diff", arguments: { task_id: task.id } }));
    const shown = text.slice(text.indexOf("```diff\n") + 8, text.lastIndexOf("```"));
    expect(shown.length).toBeLessThanOrEqual(DIFF_SHOWN_CHARS);
    expect(shown.endsWith("\n")).toBe(true);
    expect(text).toMatch(
      new RegExp(`… [\\d,]+ more characters left out; \`cca task diff ${task.id}\` prints all of it\\.$`),
    );
  });

  it("passes on why a task has no diff, and how to find a task that does not exist", async () => {
    const daemon = new InMemoryDaemonClient();
    const shared = daemon.addTask({ description: "Edit" });
    const client = await open(daemon);
    const none = await client.callTool({ name: "cca_diff", arguments: { task_id: shared.id } });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toBe(
      `Could not read the diff of task ${shared.id} [no_task_branch]: Task ${shared.id} has no branch`,
    );
    const missing = await client.callTool({ name: "cca_diff", arguments: { task_id: "task_404" } });
    expect(textOf(missing)).toMatch(
      /^Could not read the diff of task task_404; cca_status without a task_id lists the recent tasks \[task_not_found\]/,
    );
  });

  it("refuses an empty task_id without asking the daemon", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.failWith(new CcaError("internal", "should not be called"));
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_diff", arguments: { task_id: " " } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("task_id must not be empty");
    expect(daemon.calls).toEqual([]);
  });
});
