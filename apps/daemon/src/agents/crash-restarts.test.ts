import { afterEach, describe, expect, it } from "vitest";
import { createHarness } from "./test-support/agent-harness.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Restarts after 1 ms, doubling: fast, and no test waits on time. */
const FAST = { restart_backoff_ms: 1, restart_backoff_max_ms: 4 };

describe("a crashed agent", () => {
  it("is restarted as the same agent, resuming its session, with its totals kept", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: FAST } });
    const agent = await harness.manager.reserve("backend", "task_1");
    const turn = harness.manager.runTurn(agent.id, "task_1", "do it");
    harness.drivers[0]!.endTurn("done");
    await turn;
    harness.manager.release(agent.id);
    const back = harness.reaches(agent.id, "ready");
    harness.drivers[0]!.crash(3);
    expect(harness.manager.get(agent.id)).toMatchObject({
      state: "starting",
      last_error: { code: "agent_crashed", message: expect.stringMatching(/code 3; restarting/) },
    });
    expect(await back).toMatchObject({ id: agent.id, tasks_completed: 1, session_id: agent.session_id });
    expect(harness.drivers).toHaveLength(2);
    expect(harness.drivers[1]!.launch).toMatchObject({
      agentId: agent.id,
      sessionId: agent.session_id,
      resume: true,
      cwd: agent.working_dir,
    });
    expect(harness.events.filter((event) => event.kind === "agent.restarted")).toEqual([
      expect.objectContaining({
        agent_id: agent.id,
        summary: expect.stringContaining("restart 1 of at most 3"),
      }),
    ]);
  });

  it("stays failed once its restart budget is spent, and says so", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: { ...FAST, restart_max: 1 } } });
    const agent = await harness.manager.spawn("backend");
    const back = harness.reaches(agent.id, "ready");
    harness.drivers[0]!.crash(3);
    await back;
    harness.drivers[1]!.crash(4);
    expect(harness.manager.get(agent.id)).toMatchObject({
      state: "failed",
      last_error: {
        code: "agent_crashed",
        message: expect.stringMatching(
          /code 4; not restarted again: it was restarted 1 times .*agents\.restart_max = 1/,
        ),
      },
    });
    expect(harness.drivers).toHaveLength(2);
  });

  it("is not restarted once stopped while it waits out its backoff", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: { restart_backoff_ms: 600_000 } } });
    const agent = await harness.manager.spawn("backend");
    harness.drivers[0]!.crash(3);
    expect(harness.manager.get(agent.id).state).toBe("starting");
    expect(await harness.manager.stop(agent.id)).toMatchObject({ state: "stopped" });
    await harness.manager.stopAll();
    expect(harness.drivers).toHaveLength(1);
  });

  it("comes back reserved for the task whose turn crashed, to retry it", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: FAST } });
    const agent = await harness.manager.reserve("backend", "task_1");
    const turn = harness.manager.runTurn(agent.id, "task_1", "do it");
    harness.drivers[0]!.crash(3);
    await expect(turn).rejects.toMatchObject({ code: "agent_crashed" });
    const restarted = await harness.manager.restarted(agent.id, "task_1");
    expect(restarted).toMatchObject({ id: agent.id, state: "busy", current_task_id: "task_1" });
    const retry = harness.manager.runTurn(agent.id, "task_1", "do it again");
    harness.drivers[1]!.endTurn("done");
    expect(await retry).toMatchObject({ text: "done" });
    expect(harness.drivers[1]!.prompts).toEqual(["do it again"]);
  });

  it("answers null to a wait for its restart once its budget is spent", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: { restart_max: 0 } } });
    const agent = await harness.manager.reserve("backend", "task_1");
    const turn = harness.manager.runTurn(agent.id, "task_1", "do it");
    harness.drivers[0]!.crash(3);
    await expect(turn).rejects.toMatchObject({ code: "agent_crashed" });
    expect(await harness.manager.restarted(agent.id, "task_1")).toBeNull();
  });

  it("is never restarted when it exits because it was stopped", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: FAST } });
    const agent = await harness.manager.spawn("backend");
    expect(await harness.manager.stop(agent.id)).toMatchObject({ state: "stopped", last_error: null });
    expect(harness.drivers).toHaveLength(1);
  });
});
