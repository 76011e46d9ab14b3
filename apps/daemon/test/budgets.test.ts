import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CcaError, type Task } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The fake Claude Code's turns each report 10 input and 5 output tokens. */
const TURN_TOKENS = 15;

/** A file whose creation ends a fake turn started with `until <it>`. */
function gate(): { path: string; open(): void } {
  const path = join(mkdtempSync(join(tmpdir(), "cca-gate-")), "open");
  return { path, open: () => writeFileSync(path, "") };
}

/** The Coordinator agent once it works on `taskId`. */
async function coordinatorOf(daemon: TestDaemon, taskId: string): Promise<string> {
  let agentId: string | null = null;
  await waitUntil(async () => {
    const task = await daemon.client.getTask(taskId);
    const agent = task.agent_id ? await daemon.client.getAgent(task.agent_id) : null;
    agentId = agent?.current_task_id === taskId ? agent.id : null;
    return agentId !== null;
  });
  return agentId!;
}

async function settled(daemon: TestDaemon, id: string): Promise<Task> {
  return (await daemon.daemon.orchestrator.waitFor(id, 10_000)).task;
}

async function refusal(promise: Promise<unknown>): Promise<CcaError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof CcaError)) throw new Error(`expected a CcaError, got ${String(error)}`);
  return error;
}

describe("budgets", () => {
  it("pause a team task at its budget with what was done kept, and a resume completes it", async () => {
    t = await startTestDaemon();
    const turnEnds = gate();
    const root = await t.client.createTask({ description: `until ${turnEnds.path}`, budget: { tokens: 40 } });
    expect(root.budget).toEqual({ tokens: 40 });
    const coordinator = await coordinatorOf(t, root.id);
    const delegate = (role: string, task: string) =>
      t!.daemon.orchestrator.delegate(coordinator, { role, task }).then((ended) => ended.task);

    expect((await delegate("backend", "first part")).status).toBe("completed");
    expect((await delegate("qa", "second part")).status).toBe("completed");
    expect((await delegate("qa", "third part")).status).toBe("completed");
    // 45 tokens spent of 40: no new turn starts.
    const third = await delegate("backend", "fourth part");
    expect(third).toMatchObject({ status: "paused", agent_id: null, error: { code: "budget_exhausted" } });
    expect(third.error?.message).toContain("The task's budget of 40 tokens is spent (45 tokens used)");

    turnEnds.open();
    const paused = await settled(t, root.id);
    expect(paused).toMatchObject({
      status: "paused",
      result: `echo: until ${turnEnds.path}`,
      error: { code: "budget_exhausted" },
    });
    expect(paused.error?.message).toContain('Done: "first part", "second part", "third part".');
    expect(paused.error?.message).toContain('Not run yet: "fourth part".');
    expect(paused.error?.message).toContain(`cca task resume ${root.id}`);
    expect((await t.client.activity()).recent.map((event) => event.kind)).toContain("task.paused");

    // Another budget of 40 on top of the 60 spent; the paused part runs, then the Coordinator.
    const resumed = await t.client.resumeTask(root.id);
    expect(resumed).toMatchObject({ status: "queued", budget: { tokens: 100 }, error: null });
    const done = await settled(t, root.id);
    expect(done.status).toBe("completed");
    expect(done.result).toContain("this task was paused because a token budget ran out");
    expect(done.result).toContain("- [completed] fourth part");
    expect(done.result).toContain(`Your answer when it paused:\necho: until ${turnEnds.path}`);
    const tree = await t.client.getTaskTree(root.id);
    expect(tree.subtasks.map((part) => part.status)).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
    ]);
    expect(tree.total_usage.input_tokens + tree.total_usage.output_tokens).toBe(6 * TURN_TOKENS);
  });

  it("refuse a resume that would pause again at once, and one of a task that is not paused", async () => {
    t = await startTestDaemon({ config: { budgets: { task_tokens: 10 } } });
    const task = await t.client.createTask({ description: "sleep 1" });
    expect(task.budget).toEqual({ tokens: 10 });
    // Nothing was spent when its one turn started: it completes past its budget.
    expect((await settled(t, task.id)).status).toBe("completed");
    const notPaused = await refusal(t.client.resumeTask(task.id));
    expect(notPaused).toMatchObject({ code: "task_not_paused" });
    expect(notPaused.message).toContain("is completed, not paused");

    const turnEnds = gate();
    const root = await t.client.createTask({ description: `until ${turnEnds.path}`, budget: { tokens: 20 } });
    const coordinator = await coordinatorOf(t, root.id);
    const delegate = (task: string) =>
      t!.daemon.orchestrator.delegate(coordinator, { role: "backend", task }).then((ended) => ended.task);
    await delegate("first");
    await delegate("second");
    const notRun = await delegate("third");
    expect(notRun.status).toBe("paused");
    turnEnds.open();
    expect((await settled(t, root.id)).status).toBe("paused");

    const tooSmall = await refusal(t.client.resumeTask(root.id, { budget: { tokens: 30 } }));
    expect(tooSmall).toMatchObject({
      code: "budget_exhausted",
      details: { scope: "task", spent_tokens: 45 },
    });
    expect(tooSmall.message).toBe(
      'The task\'s budget of 30 tokens is spent (45 tokens used), so it would pause again at once: give a budget above what it has spent, e.g. {"budget": {"tokens": 90}}',
    );
    expect((await t.client.getTask(root.id)).status).toBe("paused");
    // Cancelled while paused: its paused part with it.
    expect((await t.client.cancelTask(root.id)).status).toBe("cancelled");
    expect((await t.client.getTask(notRun.id)).status).toBe("cancelled");
  });

  it("pause a new task before its first turn when the day's budget is spent; cancel ends it", async () => {
    t = await startTestDaemon({ config: { budgets: { day_tokens: 10 } } });
    expect((await settled(t, (await t.client.createTask({ description: "sleep 1" })).id)).status).toBe(
      "completed",
    );
    const second = await settled(t, (await t.client.createTask({ description: "sleep 1" })).id);
    expect(second).toMatchObject({ status: "paused", agent_id: null, result: null });
    expect(second.error?.message).toBe(
      `Today's budget of 10 tokens ([budgets] day_*) is spent (15 tokens used since 00:00 UTC): no turn started. Resume it once the limit is raised or after 00:00 UTC, when the day's count starts again: cca task resume ${second.id} (POST /api/v1/tasks/${second.id}/resume, or cca_resume).`,
    );
    const refused = await refusal(t.client.resumeTask(second.id, { budget: { tokens: 1_000 } }));
    expect(refused).toMatchObject({ code: "budget_exhausted" });
    expect(refused.message).toContain("raise that limit in cca.toml, or resume it after 00:00 UTC");
    expect((await t.client.cancelTask(second.id)).status).toBe("cancelled");
  });

  it("cancel the paused parts of a task that ends without pausing", async () => {
    t = await startTestDaemon();
    const root = await t.client.createTask({ description: "hang", budget: { tokens: 10 } });
    const coordinator = await coordinatorOf(t, root.id);
    const delegate = (task: string) =>
      t!.daemon.orchestrator.delegate(coordinator, { role: "backend", task }).then((ended) => ended.task);
    expect((await delegate("first")).status).toBe("completed");
    const notRun = await delegate("second");
    expect(notRun.status).toBe("paused");
    expect((await t.client.cancelTask(root.id)).status).toBe("cancelled");
    // Its parts are ended after it is.
    await waitUntil(async () => (await t!.client.getTask(notRun.id)).status !== "paused");
    expect(await t.client.getTask(notRun.id)).toMatchObject({
      status: "cancelled",
      error: { code: "task_cancelled", message: "Its parent task ended before it started" },
    });
  });

  it("say what is wrong with a budget that is not one", async () => {
    t = await startTestDaemon();
    const response = await t.call("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ description: "x", budget: { tokens: -5 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        code: "bad_request",
        message: "Invalid request body: budget.tokens: budget.tokens must be above 0",
      },
    });
    const empty = await t.call("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ description: "x", budget: {} }),
    });
    expect(await empty.json()).toMatchObject({
      error: {
        message: 'Invalid request body: budget: a budget names tokens, usd or both, e.g. {"tokens": 200000}',
      },
    });
  });
});
