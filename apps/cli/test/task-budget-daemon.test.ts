// Budgets and resume against the real daemon (apps/daemon/dist): what the CLI sends is what
// ccad takes, and its refusals come back as the CLI promises.
import { emptyUsage, TaskSchema } from "@cca/core";
import { TaskRepository, TokenUsageRepository } from "@cca/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTask } from "./fixtures/fake-daemon-api.ts";
import { startTestDaemon, type TestDaemon } from "./fixtures/test-daemon.ts";

let test: TestDaemon;

beforeEach(async () => {
  test = await startTestDaemon("budgets");
});

afterEach(() => test.close());

const cca = (args: string[]) => test.cca(args);

/** A top-level task paused by its budget of 1,000 tokens after a turn that spent 1,500. */
async function addPausedTask(id: string): Promise<void> {
  await new TaskRepository(test.database).insert(
    makeTask({
      id,
      status: "paused",
      budget: { tokens: 1_000 },
      result: "Half of it",
      error: { code: "budget_exhausted", message: "The task's budget of 1,000 tokens is spent (1,500)." },
    }),
  );
  await new TokenUsageRepository(test.database).record({
    kind: "turn",
    taskId: id,
    rootTaskId: id,
    agentId: "coordinator_1",
    role: "coordinator",
    project: null,
    model: "claude-sonnet-4-5",
    usage: { ...emptyUsage(), input_tokens: 1_400, output_tokens: 100 },
  });
}

describe("budgets with the real daemon", () => {
  it("task create --budget-tokens and --budget-usd give the task its budget", async () => {
    const created = await cca([
      "task",
      "create",
      "--budget-tokens",
      "50k",
      "--budget-usd",
      "1",
      "--json",
      "Add signup",
    ]);

    expect(created.code).toBe(0);
    const task = TaskSchema.parse(JSON.parse(created.stdout));
    expect(task.budget).toEqual({ tokens: 50_000, usd: 1 });
    const status = await cca(["task", "status", task.id, "--json"]);
    expect(JSON.parse(status.stdout).budget).toEqual({ tokens: 50_000, usd: 1 });
  });

  it("task resume --tokens gives a paused task its new total and queues it again", async () => {
    await addPausedTask("task_paused");

    const result = await cca(["task", "resume", "task_paused", "--tokens", "5000", "--json"]);

    expect(result.code).toBe(0);
    const task = TaskSchema.parse(JSON.parse(result.stdout));
    expect(task.budget).toEqual({ tokens: 5_000 });
    expect(task.status).not.toBe("paused");
    expect(task.resumed_at).not.toBeNull();
  });

  it("task resume refuses a budget the task has spent, saying how to give more (exit 6)", async () => {
    await addPausedTask("task_paused");

    const result = await cca(["task", "resume", "task_paused", "--tokens", "1200"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toContain("(budget_exhausted)\n");
    expect(result.stderr).toContain(
      "It has spent 1,500 tokens and $0.0000; give it a bigger budget in all, e.g. `cca task resume task_paused --tokens 3000`.",
    );
  });

  it("task resume refuses a task that is not paused (exit 6)", async () => {
    await new TaskRepository(test.database).insert(makeTask({ id: "task_done", status: "completed" }));

    const result = await cca(["task", "resume", "task_done"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^cca: Task task_done is completed, not paused.* \(task_not_paused\)\n$/);
  });
});
