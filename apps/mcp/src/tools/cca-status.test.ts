import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_status", () => {
  it("shows one task in full, answer included", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ clock });
    const task = daemon.addTask({ description: "Add a /health route", priority: "high" });
    daemon.startTask(task.id, "agent_1");
    clock.advance(90_000);
    daemon.completeTask(task.id, {
      result: "Added GET /health.",
      usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 5000, cost_usd: 0.05 },
      duration_ms: 90_000,
      agent_duration_ms: 85_000,
      num_turns: 4,
    });
    clock.advance(30_000);
    const client = await open(daemon, { clock });
    const result = await client.callTool({ name: "cca_status", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        `Task ${task.id}: completed (priority high)`,
        "Description: Add a /health route",
        "Agent: agent_1",
        "Times: created 2m ago, started 2m ago, finished 30s ago",
        "Effort: tokens 10 in (+5,000 cache) / 20 out · $0.0500 · wall 1m30s · agent 1m25s · 4 turns",
        "",
        "Result:",
        "Added GET /health.",
      ].join("\n"),
    );
  });

  it("shows a paused task as paused, with its budget, how to resume it and its answer so far", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ clock });
    const task = daemon.addTask({ description: "Refactor billing", budget: { tokens: 200_000, usd: 2 } });
    daemon.pauseTask(task.id, {
      message: "The task's budget of 200,000 tokens is spent (201,000 used): no turn started.",
      result: "Split the module.",
    });
    const client = await open(daemon, { clock });
    const result = await client.callTool({ name: "cca_status", arguments: { task_id: task.id } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        `Task ${task.id}: paused (priority normal)`,
        "Description: Refactor billing",
        "Times: created 0s ago",
        "Effort: tokens 0 in / 0 out · $0.0000",
        "Budget: 200,000 tokens and $2.00",
        "Paused [budget_exhausted]: The task's budget of 200,000 tokens is spent (201,000 used): no turn started.",
        `It waits for the user's decision: continue it with cca_resume {"task_id":"${task.id}"} ` +
          '(another budget as big as its last), or give its new total, what it spent included, as "budget" ' +
          `({"tokens": …} or {"usd": …}); cca_cancel {"task_id":"${task.id}"} drops it.`,
        "",
        "Answer so far:",
        "Split the module.",
      ].join("\n"),
    );
  });

  it("lists recent tasks, newest first, when no task_id is given", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ clock });
    const first = daemon.addTask({ description: "First task" });
    clock.advance(60_000);
    const second = daemon.addTask({ description: "Second task", parent_id: first.id });
    const client = await open(daemon, { clock });
    const result = await client.callTool({ name: "cca_status", arguments: {} });
    expect(textOf(result)).toBe(
      [
        "Recent tasks (2 of 2, newest first):",
        `- ${second.id} · queued · normal · 0s ago · subtask of ${first.id}: Second task`,
        `- ${first.id} · queued · normal · 1m ago: First task`,
        "",
        "cca_status with a task_id shows one task in full.",
      ].join("\n"),
    );
  });

  it("answers an unknown task id with the daemon's error", async () => {
    const client = await open(new InMemoryDaemonClient());
    const result = await client.callTool({ name: "cca_status", arguments: { task_id: "task_404" } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Could not read task task_404 \[task_not_found\]: /);
  });
});
