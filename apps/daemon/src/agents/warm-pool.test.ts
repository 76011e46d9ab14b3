import { afterEach, describe, expect, it, vi } from "vitest";
import { createHarness } from "./test-support/agent-harness.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the warm pool", () => {
  it("starts agents.warm ready agents of each role", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 4,
      configInput: { agents: { warm: { coordinator: 1, backend: 2 } } },
    });
    await harness.manager.warmUp();
    const agents = harness.manager.list();
    expect(agents.map((agent) => `${agent.role} ${agent.state}`).sort()).toEqual([
      "backend ready",
      "backend ready",
      "coordinator ready",
    ]);
  });

  it("serves a reservation with a warm agent and no new start, and does not refill while turns run", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 3,
      configInput: { agents: { warm: { backend: 1 } } },
    });
    await harness.manager.warmUp();
    const [warm] = harness.manager.list();
    const agent = await harness.manager.reserve("backend", "task_1");
    expect(agent).toMatchObject({ id: warm?.id, state: "busy" });
    const other = await harness.manager.reserve("qa", "task_2");
    // While turns run, the pool waits: a start would take CPU from them.
    await harness.manager.warmUp();
    harness.manager.release(other.id);
    expect(harness.drivers).toHaveLength(2);
    // Released, the agent is the pool's again: the next task takes it, still with no start.
    harness.manager.release(agent.id);
    await harness.manager.warmUp();
    expect((await harness.manager.reserve("backend", "task_3")).id).toBe(warm?.id);
    expect(harness.drivers).toHaveLength(2);
  });

  it("refills once no turn runs when its agent is gone meanwhile", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 3,
      configInput: { agents: { warm: { backend: 1 } } },
    });
    await harness.manager.warmUp();
    const [warm] = harness.manager.list();
    const replenished = new Promise<string>((resolve) =>
      harness.onReady((agent) => agent.id !== warm?.id && resolve(agent.id)),
    );
    const agent = await harness.manager.reserve("backend", "task_1");
    await harness.manager.stop(agent.id);
    const fresh = await replenished;
    expect(harness.manager.get(fresh)).toMatchObject({ role: "backend", state: "ready" });
    expect(harness.drivers).toHaveLength(2);
  });

  it("never starts warm agents past max_agents", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 2,
      configInput: { agents: { warm: { backend: 3, qa: 3 } } },
    });
    await harness.manager.warmUp();
    expect(harness.manager.list()).toHaveLength(2);
    expect(harness.drivers).toHaveLength(2);
  });

  it("gives its warm agents up when a slot is needed, like other idle agents", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 1,
      configInput: { agents: { warm: { backend: 1 } } },
    });
    await harness.manager.warmUp();
    const [warm] = harness.manager.list();
    const agent = await harness.manager.reserve("qa", "task_1");
    expect(agent).toMatchObject({ role: "qa", state: "busy" });
    expect(harness.manager.get(warm!.id).state).toBe("stopped");
    expect(harness.manager.activeCount).toBe(1);
  });

  it("keeps its agents past the idle timeout", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, {
      idleTimeoutMs: 1_000,
      configInput: { agents: { warm: { backend: 1 } } },
    });
    await harness.manager.warmUp();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.manager.list().map((agent) => agent.state)).toEqual(["ready"]);
  });

  it("keeps warm agents for a project from its first task on, in the project's folder", async () => {
    const harness = createHarness(cleanups, {
      maxAgents: 4,
      configInput: { agents: { warm: { backend: 1 } } },
    });
    await harness.manager.warmUp();
    const [projectless] = harness.manager.list();
    const first = await harness.manager.reserve("backend", "task_1", { project: "/work/shop" });
    expect(first).toMatchObject({ project: "/work/shop", state: "busy" });
    expect(first.id).not.toBe(projectless?.id);
    harness.manager.release(first.id);
    // The project's pool was short of it: the released agent stays warm for the project's next task.
    const second = await harness.manager.reserve("backend", "task_2", { project: "/work/shop" });
    expect(second.id).toBe(first.id);
    expect(harness.drivers).toHaveLength(2);
    expect(harness.manager.get(projectless!.id)).toMatchObject({ project: null, state: "ready" });
  });
});
