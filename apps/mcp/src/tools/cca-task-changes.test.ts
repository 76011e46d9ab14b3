// What a finished task's answer says it changed (cca_task and cca_status): its branch, the
// files per part, the team's total, why agents shared the folder, what auto-apply did.
import { CcaError, type Task } from "@cca/core";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";
import { fastForward, twoFileChanges } from "../../test/fixtures/task-branch.js";

const open = commandCenterSessions();

/** Gives `task` a backend part that cost $0.21, and a branch on which it changed two files. */
function splitWithBranch(daemon: InMemoryDaemonClient, task: Task): Task {
  const part = daemon.addTask({
    description: "Write the route",
    parent_id: task.id,
    agent_id: "backend_ab12",
  });
  daemon.completeTask(part.id, { result: "done", usage: { input_tokens: 200, cost_usd: 0.21 } });
  const changes = twoFileChanges(task.id, part.id);
  daemon.setBranch(task.id, { changes, diff: "", apply: fastForward(task.id, changes) });
  return part;
}

/** Runs cca_task until the test's `finish` ends the created task; resolves with the answer's text. */
async function answerOf(daemon: InMemoryDaemonClient, finish: (task: Task) => void): Promise<string> {
  const client = await open(daemon);
  const call = client.callTool({ name: "cca_task", arguments: { description: "Add /health" } });
  finish(await daemon.nextTaskCreated());
  return textOf(await call);
}

describe("cca_task's answer", () => {
  it("shows the branch, each part's files by role, how to apply, and the team's total in the footer", async () => {
    const daemon = new InMemoryDaemonClient();
    let part: Task | undefined;
    const text = await answerOf(daemon, (task) => {
      part = splitWithBranch(daemon, task);
      daemon.completeTask(task.id, {
        result: "Added GET /health.",
        usage: { input_tokens: 100, cost_usd: 0.21 },
      });
    });
    const id = text.match(/\[cca (task_\d+)/)?.[1];
    expect(text).toContain(
      [
        `Changes on cca/${id} (from 1a2b3c4): 2 files, +9 -1`,
        `- backend ${part?.id}: 1 file, +8 -0`,
        "    A src/health.ts +8 -0",
        "- fix: 1 file, +1 -1",
        "    M src/app.ts +1 -1",
        `Apply it to your branch with cca_apply {"task_id":"${id}"}; cca_diff {"task_id":"${id}"} shows the patch.`,
      ].join("\n"),
    );
    expect(text).toMatch(/\n\n\[cca task_\d+ · completed · tokens 300 in \/ 0 out · \$0\.4200\]$/);
  });
});

describe("cca_status of an ended task", () => {
  it("shows the team's total and what its branch changed", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add /health" });
    const part = splitWithBranch(daemon, task);
    daemon.completeTask(task.id, {
      result: "Added GET /health.",
      usage: { input_tokens: 100, cost_usd: 0.21 },
    });
    const client = await open(daemon);
    const text = textOf(await client.callTool({ name: "cca_status", arguments: { task_id: task.id } }));
    expect(text).toContain("Effort: tokens 300 in / 0 out · $0.4200");
    expect(text).toContain(`- ${part.id}: 1 file, +8 -0\n    A src/health.ts +8 -0`);
  });

  it("shows why the agents shared the folder, and what auto-apply did", async () => {
    const daemon = new InMemoryDaemonClient();
    const note = "/srv/site is not a git repository, so the agents worked in the folder itself";
    const shared = daemon.addTask({
      description: "Edit",
      workspace: { isolation: "shared", branch: null, base: null, commit: null, note, applied: null },
    });
    daemon.completeTask(shared.id, { result: "Edited." });
    const client = await open(daemon);
    const sharedText = textOf(
      await client.callTool({ name: "cca_status", arguments: { task_id: shared.id } }),
    );
    expect(sharedText).toContain(`Shared folder: ${note}`);
    expect(sharedText).not.toContain("Changes on");
    expect(daemon.calls).not.toContain("taskChanges");

    const applied = daemon.addTask({
      description: "Add /health",
      workspace: {
        isolation: "worktree",
        branch: "cca/task_x",
        base: "1a2b3c4d5e6f7a8b",
        commit: null,
        note: null,
        applied: "applied to main as a fast-forward",
      },
    });
    splitWithBranch(daemon, applied);
    daemon.completeTask(applied.id, { result: "Added." });
    const appliedText = textOf(
      await client.callTool({ name: "cca_status", arguments: { task_id: applied.id } }),
    );
    expect(appliedText).toContain("Applied: applied to main as a fast-forward");
    expect(appliedText).toContain("Changes on cca/");
    expect(appliedText).not.toContain("cca_apply");
  });

  it("still answers when the branch cannot be read, saying so", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add /health" });
    splitWithBranch(daemon, task);
    daemon.completeTask(task.id, { result: "Added." });
    daemon.failWith(new CcaError("unknown_revision", "Task branch cca/x does not exist"), ["taskChanges"]);
    const client = await open(daemon);
    const text = textOf(await client.callTool({ name: "cca_status", arguments: { task_id: task.id } }));
    expect(text).toContain("Result:\nAdded.");
    expect(text).toContain(
      `Branch cca/${task.id}: could not read its changes ([unknown_revision] Task branch cca/x does not exist)`,
    );
  });
});
