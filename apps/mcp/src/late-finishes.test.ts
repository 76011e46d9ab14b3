import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

const NO_AGENTS = "No agents yet: the daemon starts them when a task arrives.";

describe("late finishes", () => {
  it("reports a task that ends after its cca_task gave up waiting once, on the next answer of any tool", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ longPollAdvances: clock });
    // cca_task gives up waiting at once: the clock runs with each long poll.
    const client = await open(daemon, { clock, waitLimitS: 5 });
    const gaveUp = await client.callTool({ name: "cca_task", arguments: { description: "Add /health" } });
    expect(textOf(gaveUp)).toMatch(/^Task task_1 is still queued after 5\.0s/);
    expect(textOf(await client.callTool({ name: "cca_agents", arguments: {} }))).toBe(NO_AGENTS);

    daemon.completeTask("task_1", { result: "Added GET /health.", usage: { cost_usd: 0.0123 } });
    const next = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(next)).toBe(`Meanwhile task_1 completed: Added GET /health. (cost $0.0123)\n${NO_AGENTS}`);
    expect(next.content).toHaveLength(2);
    const after = await client.callTool({ name: "cca_activity", arguments: {} });
    expect(textOf(after)).not.toContain("Meanwhile");
  });

  it("quotes the first line of a long answer and points to cca_status for the rest", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({ name: "cca_task", arguments: { description: "Review", wait: false } });
    daemon.completeTask("task_1", { result: "Two findings.\n1. SQL injection in search\n2. No CSRF token" });
    const next = await client.callTool({ name: "cca_status", arguments: {} });
    expect(textOf(next).split("\n")[0]).toBe(
      'Meanwhile task_1 completed: Two findings. (cost $0.0000; cca_status {"task_id":"task_1"} has it in full)',
    );
  });

  it("reports a task that failed meanwhile with its error code, on the answer of another cca_task", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({ name: "cca_task", arguments: { description: "Deploy", wait: false } });
    daemon.failTask("task_1", {
      code: "turn_failed",
      message: "The coordinator's turn ended with an API error.",
    });
    const call = client.callTool({ name: "cca_task", arguments: { description: "Add docs" } });
    const second = await daemon.nextTaskCreated();
    daemon.completeTask(second.id, { result: "Docs added." });
    const result = await call;
    expect(textOf(result)).toMatch(
      /^Meanwhile task_1 failed \[turn_failed\]: The coordinator's turn ended with an API error\. \(cost \$0\.0000\)\nDocs added\./,
    );
  });

  it("reports a task that paused meanwhile on its budget, with how to resume it", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({ name: "cca_task", arguments: { description: "Refactor", wait: false } });
    daemon.pauseTask("task_1", {
      message: "The task's budget of 1,000 tokens is spent (1,200 used).\nDone: no parts.",
      usage: { cost_usd: 0.01 },
    });
    const next = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(next)).toBe(
      "Meanwhile task_1 was paused [budget_exhausted]: The task's budget of 1,000 tokens is spent (1,200 used). " +
        '(cost $0.0100; cca_status {"task_id":"task_1"} has it in full; cca_resume {"task_id":"task_1"} continues it)\n' +
        NO_AGENTS,
    );
  });

  it("does not report a task again that cca_status has just shown ended", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    await client.callTool({ name: "cca_task", arguments: { description: "Write docs", wait: false } });
    daemon.completeTask("task_1", { result: "Docs written." });
    const shown = await client.callTool({ name: "cca_status", arguments: { task_id: "task_1" } });
    expect(textOf(shown)).toMatch(/^Task task_1: completed/);
    expect(textOf(await client.callTool({ name: "cca_agents", arguments: {} }))).toBe(NO_AGENTS);
  });

  it("reports nothing for a task that cca_task waited for to the end", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const call = client.callTool({ name: "cca_task", arguments: { description: "Fix it" } });
    daemon.completeTask((await daemon.nextTaskCreated()).id, { result: "Fixed." });
    expect(textOf(await call)).toMatch(/^Fixed\./);
    expect(textOf(await client.callTool({ name: "cca_agents", arguments: {} }))).toBe(NO_AGENTS);
  });
});
