import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_feedback", () => {
  it("records the verdict and says where the note went", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add the orders table", status: "completed" });
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_feedback",
      arguments: { task_id: task.id, success: false, note: "Forgot the migration" },
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Recorded task ${task.id} as a failure: it was given no memory items. The note is stored as guardrail mem_1; later tasks that fit get it as a hint.`,
    );
    expect(daemon.feedback).toEqual([
      { taskId: task.id, feedback: { success: false, note: "Forgot the migration" } },
    ]);
  });

  it("says what is missing, and names a task it does not know", async () => {
    const client = await open(new InMemoryDaemonClient());
    const missing = await client.callTool({ name: "cca_feedback", arguments: { task_id: "task_1" } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("success is required");
    const unknown = await client.callTool({
      name: "cca_feedback",
      arguments: { task_id: "task_x", success: true },
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain("task_x");
  });
});
