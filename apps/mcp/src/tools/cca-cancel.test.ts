import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_cancel", () => {
  it("cancels a running task and answers with its footer", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Migrate the DB" });
    daemon.startTask(task.id, "coordinator_1");
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_cancel", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Cancelled task ${task.id}.\n\n[cca ${task.id} · cancelled · tokens 0 in / 0 out · $0.0000]`,
    );
    expect(await daemon.getTask(task.id)).toMatchObject({
      status: "cancelled",
      error: { code: "task_cancelled" },
    });
  });

  it("cancels a paused task, which keeps its answer so far", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Migrate the DB" });
    daemon.pauseTask(task.id, { message: "The task's budget is spent.", result: "Half the tables moved." });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_cancel", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(
      new RegExp(`^Cancelled task ${task.id}\\.\\n\\n\\[cca ${task.id} · cancelled · `),
    );
    expect(await daemon.getTask(task.id)).toMatchObject({
      status: "cancelled",
      result: "Half the tables moved.",
      error: { code: "task_cancelled", message: "Cancelled while paused" },
    });
  });

  it("answers an unknown task id with an error that says how to find the right one", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_cancel", arguments: { task_id: "task_404" } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      "There is no task task_404 to cancel [task_not_found]; cca_status without a task_id lists the recent tasks.",
    );
  });

  it("answers a task that has already ended with its status and nothing cancelled", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add a /health route" });
    daemon.completeTask(task.id, { result: "Added GET /health." });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_cancel", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Task ${task.id} has already ended (completed), so there is nothing to cancel; ` +
        `cca_status {"task_id":"${task.id}"} shows how it ended.`,
    );
    expect((await daemon.getTask(task.id)).status).toBe("completed");
  });

  it("stops a cca_task that is waiting for the task, which then answers that it was cancelled", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const waiting = client.callTool({ name: "cca_task", arguments: { description: "Refactor" } });
    const task = await daemon.nextTaskCreated();
    const cancel = await client.callTool({ name: "cca_cancel", arguments: { task_id: task.id } });
    expect(textOf(cancel)).toMatch(new RegExp(`^Cancelled task ${task.id}\\.`));
    const result = await waiting;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      new RegExp(`^Task ${task.id} was cancelled \\[task_cancelled\\]: Cancelled on request`),
    );
  });

  it.each([
    [{}, "task_id is required"],
    [{ task_id: "  " }, "task_id must not be empty"],
  ])("refuses bad input %j without asking the daemon", async (args, expected) => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_cancel", arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(expected);
    expect(daemon.calls).not.toContain("cancelTask");
  });
});
