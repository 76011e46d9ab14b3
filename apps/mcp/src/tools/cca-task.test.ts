import { CcaError } from "@cca/core";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, recordProgress, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

/** What ccad says when a task's turn ends with a part not run for its budget. */
const PAUSE_MESSAGE = [
  "The task's budget of 1,000 tokens is spent (1,000 used). Its turn finished, but 1 part did not run, so the task is paused with its answer so far.",
  'Done: "Add the route".',
  'Not run yet: "Write the tests".',
  "Resume it with a bigger budget: cca task resume task_1 (POST /api/v1/tasks/task_1/resume, or cca_resume).",
].join("\n");

describe("cca_task", () => {
  it("waits for the task and returns the answer followed by a usage footer", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const call = client.callTool({ name: "cca_task", arguments: { description: "Add a /health route" } });
    const task = await daemon.nextTaskCreated();
    daemon.startTask(task.id, "agent_1");
    daemon.completeTask(task.id, {
      result: "Added GET /health returning 200.",
      usage: { input_tokens: 1234, output_tokens: 567, cost_usd: 0.0123 },
      duration_ms: 42_100,
      agent_duration_ms: 40_200,
    });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Added GET /health returning 200.\n\n[cca ${task.id} · completed · tokens 1,234 in / 567 out · $0.0123 · wall 42.1s · agent 40.2s]`,
    );
    expect(daemon.createdRequests).toEqual([{ description: "Add a /health route", priority: undefined }]);
  });

  it("sends the Command Center's project folder with every task, waited for or not", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon, { projectDir: "/home/ada/shop" });
    await client.callTool({ name: "cca_task", arguments: { description: "Write docs", wait: false } });
    const call = client.callTool({ name: "cca_task", arguments: { description: "Add tests" } });
    daemon.completeTask((await daemon.nextTaskCreated()).id, { result: "Tests added." });
    await call;
    expect(daemon.createdRequests).toEqual([
      { description: "Write docs", priority: undefined, project_dir: "/home/ada/shop" },
      { description: "Add tests", priority: undefined, project_dir: "/home/ada/shop" },
    ]);
  });

  it("sends no project_dir when the server was given no project folder", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({ name: "cca_task", arguments: { description: "Write docs", wait: false } });
    expect(daemon.createdRequests).toHaveLength(1);
    expect(daemon.createdRequests[0]).not.toHaveProperty("project_dir");
  });

  it("passes the priority on to the daemon", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({
      name: "cca_task",
      arguments: { description: "Fix prod", priority: "critical", wait: false },
    });
    expect(daemon.createdRequests).toEqual([{ description: "Fix prod", priority: "critical" }]);
  });

  it("passes the budget on to the daemon", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({
      name: "cca_task",
      arguments: { description: "Refactor billing", budget: { tokens: 200_000, usd: 2.5 }, wait: false },
    });
    expect(daemon.createdRequests).toEqual([
      { description: "Refactor billing", priority: undefined, budget: { tokens: 200_000, usd: 2.5 } },
    ]);
    expect((await daemon.getTask("task_1")).budget).toEqual({ tokens: 200_000, usd: 2.5 });
  });

  it("answers a task that paused on its budget as paused, not failed: why, done, not run yet, answer so far, how to resume", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const call = client.callTool({
      name: "cca_task",
      arguments: { description: "Add /health with tests", budget: { tokens: 1000 } },
    });
    const task = await daemon.nextTaskCreated();
    daemon.startTask(task.id, "coordinator_1");
    const route = daemon.addTask({ description: "Add the route", parent_id: task.id });
    daemon.completeTask(route.id, {
      result: "Route added.",
      usage: { input_tokens: 700, output_tokens: 300 },
    });
    const tests = daemon.addTask({ description: "Write the tests", parent_id: task.id });
    daemon.pauseTask(tests.id, { message: "this part did not start; it runs when its task is resumed" });
    daemon.pauseTask(task.id, {
      message: PAUSE_MESSAGE,
      result: "The route is in; its tests are not written yet.",
    });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        `Task ${task.id} paused, not failed [budget_exhausted]: ${PAUSE_MESSAGE}`,
        "",
        "Answer so far:",
        "The route is in; its tests are not written yet.",
        "",
        "Parts:",
        "- unassigned · completed · tokens 700 in / 300 out · $0.0000: Add the route",
        "- unassigned · paused · tokens 0 in / 0 out · $0.0000 [budget_exhausted]: Write the tests",
        "",
        "Its budget was 1,000 tokens. " +
          `It waits for the user's decision: continue it with cca_resume {"task_id":"${task.id}"} ` +
          '(another budget as big as its last), or give its new total, what it spent included, as "budget" ' +
          `({"tokens": …} or {"usd": …}); cca_cancel {"task_id":"${task.id}"} drops it.`,
        "",
        `[cca ${task.id} · paused · tokens 700 in / 300 out · $0.0000]`,
      ].join("\n"),
    );
  });

  it("sends progress every interval while waiting, carrying the latest activity of the task and its subtasks", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const progress = recordProgress();
    const call = client.callTool(
      { name: "cca_task", arguments: { description: "Add a /health route" } },
      undefined,
      {
        onprogress: progress.onprogress,
      },
    );
    const task = await daemon.nextTaskCreated();
    await progress.waitFor((p) => p.message?.startsWith(`task ${task.id} queued`) ?? false);
    await daemon.eventsSubscribed();

    daemon.emit({
      kind: "agent.tool_use",
      agent_id: "coordinator_1",
      task_id: task.id,
      summary: "coordinator: running Bash: npm test",
    });
    await progress.waitFor((p) => p.message?.startsWith("coordinator: running Bash: npm test") ?? false);

    const other = daemon.addTask({ description: "someone else's task" });
    const unrelated = daemon.emit({
      kind: "agent.tool_use",
      agent_id: "backend_2",
      task_id: other.id,
      summary: "backend: running Bash: rm -rf build",
    });
    await daemon.eventHandled(unrelated);
    const afterUnrelated = progress.seen.length;
    const nextBeat = await progress.waitFor((p) => progress.seen.indexOf(p) >= afterUnrelated);
    expect(nextBeat.message).toMatch(/^coordinator: running Bash: npm test/);
    const subtask = daemon.addTask({ description: "write the route", parent_id: task.id });
    daemon.emit({
      kind: "agent.tool_use",
      agent_id: "backend_1",
      task_id: subtask.id,
      summary: "backend: running Edit: src/app.ts",
    });
    await progress.waitFor((p) => p.message?.startsWith("backend: running Edit: src/app.ts") ?? false);

    daemon.completeTask(task.id, { result: "Done." });
    const result = await call;
    expect(textOf(result)).toMatch(/^Done\./);
    const values = progress.seen.map((p) => p.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);
    await daemon.eventsClosed();
  });

  it("returns the task id and a cca_status hint when the wait limit is reached", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ longPollAdvances: clock });
    const client = await open(daemon, { clock, waitLimitS: 12 });
    const result = await client.callTool({
      name: "cca_task",
      arguments: { description: "Migrate the DB" },
    });
    const [task] = await daemon.listTasks();
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Task ${task!.id} is still queued after 12.0s; the team keeps working on it. ` +
        `Check it later with cca_status {"task_id":"${task!.id}"} (cca_activity shows what the agents are doing).`,
    );
    expect(daemon.calls.filter((call) => call === "waitForTask")).toHaveLength(3);
    expect(daemon.calls).not.toContain("cancelTask");
  });

  it("reports a failed task as an error with its code and message", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const call = client.callTool({ name: "cca_task", arguments: { description: "Deploy" } });
    const task = await daemon.nextTaskCreated();
    daemon.failTask(task.id, {
      code: "turn_failed",
      message: "The coordinator's turn ended with an API error.",
    });
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      new RegExp(
        `^Task ${task.id} failed \\[turn_failed\\]: The coordinator's turn ended with an API error\\.\\n\\n\\[cca ${task.id} · failed · `,
      ),
    );
  });

  it("reports a cancelled task as an error", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const call = client.callTool({ name: "cca_task", arguments: { description: "Deploy" } });
    const task = await daemon.nextTaskCreated();
    await daemon.cancelTask(task.id);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`Task ${task.id} was cancelled [task_cancelled]: Cancelled on request`);
  });

  it.each([
    [{ description: "   " }, "description must not be empty"],
    [{}, "description is required"],
    [{ description: "Fix it", priority: "urgent" }, "priority must be one of: low, normal, high, critical"],
    [{ description: "Fix it", wait: "yes" }, "wait must be true or false"],
    [{ description: "Fix it", budget: {} }, 'a budget names tokens, usd or both, e.g. {"tokens": 200000}'],
    [{ description: "Fix it", budget: { tokens: 0 } }, "budget.tokens must be above 0"],
    [{ description: "Fix it", budget: { tokens: 1.5 } }, "budget.tokens must be a whole number of tokens"],
    [{ description: "Fix it", budget: { usd: "2" } }, "budget.usd must be a number of US dollars"],
    [{ description: "Fix it", budget: 200_000 }, 'budget must be an object such as {"tokens": 200000}'],
    [{ description: "Fix it", budget: { dollars: 2 } }, "budget takes only tokens and usd, not dollars"],
  ])("refuses bad input %j with a clear error and creates no task", async (args, expected) => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_task", arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Invalid arguments for tool cca_task");
    expect(textOf(result)).toContain(expected);
    expect(daemon.calls).not.toContain("createTask");
  });

  it("returns the task id at once when wait is false", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_task",
      arguments: { description: "Write docs", priority: "low", wait: false },
    });
    const [task] = await daemon.listTasks();
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `Task ${task!.id} is queued (priority low). Check it with cca_status {"task_id":"${task!.id}"}; ` +
        "cca_activity shows the agents at work.",
    );
    expect(daemon.calls).not.toContain("waitForTask");
  });

  it("stops waiting, without cancelling the task, when the MCP request is cancelled", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const controller = new AbortController();
    const call = client.callTool({ name: "cca_task", arguments: { description: "Refactor" } }, undefined, {
      signal: controller.signal,
    });
    const task = await daemon.nextTaskCreated();
    const aborted = daemon.waitAborted();
    controller.abort("the user pressed Esc");
    await expect(call).rejects.toThrow();
    await aborted;
    await daemon.eventsClosed();
    expect(daemon.calls).not.toContain("cancelTask");
    expect((await daemon.getTask(task.id)).status).toBe("queued");
  });

  it("tells with the next answer that the task of an interrupted wait goes on, and how to follow or stop it", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const controller = new AbortController();
    const call = client.callTool({ name: "cca_task", arguments: { description: "Refactor" } }, undefined, {
      signal: controller.signal,
    });
    const task = await daemon.nextTaskCreated();
    controller.abort("the user pressed Esc");
    await expect(call).rejects.toThrow();

    const next = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(next)).toBe(
      `Task ${task.id} goes on (queued) although its cca_task wait was interrupted; ` +
        `follow it with cca_status {"task_id":"${task.id}"}, or stop it with cca_cancel {"task_id":"${task.id}"}.\n` +
        "No agents yet: the daemon starts them when a task arrives.",
    );
    expect(daemon.calls).not.toContain("cancelTask");
    expect((await daemon.getTask(task.id)).status).toBe("queued");
    const after = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(after)).toBe("No agents yet: the daemon starts them when a task arrives.");
  });

  it("cancels the task of an interrupted wait when cancel_on_interrupt is on, and says so with the next answer", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon, { cancelOnInterrupt: true });
    const controller = new AbortController();
    const call = client.callTool({ name: "cca_task", arguments: { description: "Refactor" } }, undefined, {
      signal: controller.signal,
    });
    const task = await daemon.nextTaskCreated();
    daemon.startTask(task.id, "coordinator_1");
    controller.abort("the user pressed Esc");
    await expect(call).rejects.toThrow();

    const next = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(next)).toBe(
      `Cancelled task ${task.id} because its cca_task wait was interrupted ([mcp] cancel_on_interrupt).\n` +
        "No agents yet: the daemon starts them when a task arrives.",
    );
    expect(await daemon.getTask(task.id)).toMatchObject({
      status: "cancelled",
      error: { code: "task_cancelled" },
    });
    expect(daemon.calls.filter((name) => name === "cancelTask")).toHaveLength(1);
    const after = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(after)).toBe("No agents yet: the daemon starts them when a task arrives.");
  });

  it("says the task may still be running when the daemon goes away during the wait", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ longPollAdvances: clock });
    const client = await open(daemon, { clock });
    daemon.failWith(new CcaError("daemon_unreachable", "The CCA daemon is not reachable."), ["waitForTask"]);
    const result = await client.callTool({
      name: "cca_task",
      arguments: { description: "Refactor" },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Lost track of task task_1 while waiting \(it may still be running; check it later with cca_status\) \[daemon_unreachable\]: /,
    );
  });
});
