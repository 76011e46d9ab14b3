import { describe, expect, it } from "vitest";
import { commandCenterSessions, recordProgress, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

const PAUSED_BEFORE_START =
  "The task's budget of 1,000 tokens is spent (1,500 used): no turn started. " +
  "Resume it with a bigger budget: cca task resume task_1 (POST /api/v1/tasks/task_1/resume, or cca_resume).";

/** A daemon holding task_1, paused on a budget of 1,000 tokens after spending 1,500. */
function daemonWithPausedTask(): InMemoryDaemonClient {
  const daemon = new InMemoryDaemonClient();
  const task = daemon.addTask({ description: "Refactor billing", budget: { tokens: 1000 } });
  daemon.pauseTask(task.id, {
    message: PAUSED_BEFORE_START,
    result: "Split the module; the callers are next.",
    usage: { input_tokens: 1000, output_tokens: 500, cost_usd: 0.02 },
  });
  return daemon;
}

describe("cca_resume", () => {
  it("resumes a paused task and waits, with progress, for its answer", async () => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const progress = recordProgress();
    const call = client.callTool({ name: "cca_resume", arguments: { task_id: "task_1" } }, undefined, {
      onprogress: progress.onprogress,
    });
    const resumed = await daemon.nextTaskResumed();
    expect(resumed).toMatchObject({ status: "queued", error: null, budget: { tokens: 2500 } });
    await progress.waitFor((p) => p.message?.startsWith("task task_1 queued") ?? false);
    daemon.startTask("task_1", "coordinator_1");
    daemon.completeTask("task_1", { result: "Billing refactored; callers updated." });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/^Billing refactored; callers updated\.\n\n\[cca task_1 · completed · /);
    expect(daemon.resumeRequests).toEqual([{ id: "task_1" }]);
  });

  it("gives the task the new total budget it was handed", async () => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_resume",
      arguments: { task_id: "task_1", budget: { tokens: 4000, usd: 1 }, wait: false },
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      'Resumed task task_1; it is queued again. Check it with cca_status {"task_id":"task_1"}; ' +
        "cca_activity shows the agents at work.",
    );
    expect(daemon.resumeRequests).toEqual([{ id: "task_1", budget: { tokens: 4000, usd: 1 } }]);
    expect((await daemon.getTask("task_1")).budget).toEqual({ tokens: 4000, usd: 1 });
    expect(daemon.calls).not.toContain("waitForTask");
  });

  it("answers a task that pauses again as paused, with how to go on", async () => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const call = client.callTool({ name: "cca_resume", arguments: { task_id: "task_1" } });
    await daemon.nextTaskResumed();
    daemon.pauseTask("task_1", { message: "The task's budget of 2,500 tokens is spent (2,600 used)." });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(
      /^Task task_1 paused, not failed \[budget_exhausted\]: The task's budget of 2,500 tokens is spent \(2,600 used\)\.\n\nAnswer so far:\nSplit the module; the callers are next\./,
    );
    expect(textOf(result)).toContain('continue it with cca_resume {"task_id":"task_1"}');
  });

  it("refuses a task that is not paused with the daemon's reason", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "Add docs" });
    daemon.completeTask(task.id, { result: "Docs added." });
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_resume", arguments: { task_id: task.id } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `Could not resume task ${task.id} [task_not_paused]: Task ${task.id} is completed, not paused; ` +
        "only a paused task can be resumed",
    );
    expect(daemon.calls).not.toContain("waitForTask");
  });

  it("refuses a budget the task has already spent, saying what to give instead", async () => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_resume",
      arguments: { task_id: "task_1", budget: { tokens: 1200 } },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      "Could not resume task task_1 [budget_exhausted]: The task's budget of 1200 tokens is spent (1500 used), " +
        'so it would pause again at once: give a budget above what it has spent, e.g. {"budget": {"tokens": 3000}}',
    );
    expect((await daemon.getTask("task_1")).status).toBe("paused");
    expect(daemon.calls).not.toContain("waitForTask");
  });

  it("names cca_resume when the task of its interrupted wait goes on", async () => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const controller = new AbortController();
    const call = client.callTool({ name: "cca_resume", arguments: { task_id: "task_1" } }, undefined, {
      signal: controller.signal,
    });
    await daemon.nextTaskResumed();
    controller.abort("the user pressed Esc");
    await expect(call).rejects.toThrow();
    const next = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(next)).toMatch(
      /^Task task_1 goes on \(queued\) although its cca_resume wait was interrupted; follow it with cca_status/,
    );
  });

  it.each([
    [{}, "task_id is required"],
    [{ task_id: "task_1", budget: {} }, 'a budget names tokens, usd or both, e.g. {"tokens": 200000}'],
    [{ task_id: "task_1", budget: { usd: -1 } }, "budget.usd must be above 0"],
    [{ task_id: "task_1", budget: "lots" }, 'budget must be an object such as {"tokens": 200000}'],
    [{ task_id: "task_1", wait: "no" }, "wait must be true or false"],
  ])("refuses bad input %j with a clear error and resumes nothing", async (args, expected) => {
    const daemon = daemonWithPausedTask();
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_resume", arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Invalid arguments for tool cca_resume");
    expect(textOf(result)).toContain(expected);
    expect(daemon.calls).not.toContain("resumeTask");
  });
});
