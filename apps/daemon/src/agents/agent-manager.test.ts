import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyUsage, InMemoryEventBus, parseConfig } from "@cca/core";
import type { TurnTokens } from "@cca/memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ActivityLog } from "../activity/activity-log.js";
import { AgentManager } from "./agent-manager.js";
import { createDriverFactory } from "./drivers/create-driver.js";
import { RoleCatalog } from "./role-catalog.js";
import { createHarness, runOneTurn } from "./test-support/agent-harness.js";

const FAKE_CLAUDE = fileURLToPath(new URL("../../test/fixtures/fake-claude.mjs", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("AgentManager with the headless driver", () => {
  function createManager(): AgentManager {
    const workRoot = mkdtempSync(join(tmpdir(), "cca-agents-"));
    const config = parseConfig({ agents: { claude_path: FAKE_CLAUDE } }).agents;
    const manager = new AgentManager({
      config,
      createDriver: createDriverFactory({ config, env: process.env, turnUsage: async () => emptyUsage() }),
      maxAgents: 2,
      stopGraceMs: 100,
      catalog: new RoleCatalog(config),
      activity: new ActivityLog({ bus: new InMemoryEventBus() }),
      workRoot,
    });
    cleanups.push(async () => {
      for (const agent of manager.list()) {
        if (agent.pid && agent.state !== "stopped" && agent.state !== "failed")
          process.kill(agent.pid, "SIGCONT");
      }
      await manager.stopAll();
      rmSync(workRoot, { recursive: true, force: true });
    });
    return manager;
  }

  it("passes the interrupt's deadline through and reports true when the turn ends", async () => {
    const manager = createManager();
    const agent = await manager.reserve("backend", "task_1");
    const turn = manager.runTurn(agent.id, "task_1", "hang");
    expect(await manager.interrupt(agent.id, { deadlineMs: 5_000 })).toBe(true);
    expect(await turn).toMatchObject({ interrupted: true });
  });

  it("reports false for a hung agent by the deadline, and stops it for good", async () => {
    const manager = createManager();
    const agent = await manager.reserve("backend", "task_1");
    const turn = manager.runTurn(agent.id, "task_1", "hang");
    turn.catch(() => {});
    process.kill(agent.pid!, "SIGSTOP");
    expect(await manager.interrupt(agent.id, { deadlineMs: 200 })).toBe(false);
    expect(await manager.stop(agent.id)).toMatchObject({ state: "stopped" });
    expect(() => process.kill(agent.pid!, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  it("shows a live agent's resident memory, read from /proc, and none once it stopped", async () => {
    const manager = createManager();
    const agent = await manager.spawn("backend");
    const [live] = manager.list();
    expect(live).toMatchObject({ id: agent.id, driver: "headless", state: "ready" });
    // A node process holds several MB at the least.
    expect(live?.rss_bytes).toBeGreaterThan(1024 * 1024);
    await manager.stop(agent.id);
    expect(manager.get(agent.id)).toMatchObject({ state: "stopped", rss_bytes: null });
  });
});

describe("AgentManager through the AgentDriver interface", () => {
  it("makes each agent's driver with its role's profile and records the driver's kind", async () => {
    const harness = createHarness(cleanups, {
      configInput: { agents: { roles: { backend: { model: "opus", driver: "headless" } } } },
    });
    const agent = await harness.manager.spawn("backend");
    const [driver] = harness.drivers;
    expect(driver?.launch).toMatchObject({
      agentId: agent.id,
      profile: { role: "backend", model: "opus", driver: "headless" },
      resume: false,
      cwd: agent.working_dir,
    });
    expect(agent).toMatchObject({ driver: "headless", state: "ready", pid: process.pid });
  });

  it("turns a turn's driver events into the agent's activity and adds the turn's usage", async () => {
    const harness = createHarness(cleanups);
    const agent = await harness.manager.reserve("backend", "task_1");
    const turn = harness.manager.runTurn(agent.id, "task_1", "run the tests");
    const driver = harness.drivers[0]!;
    driver.emit("toolUse", { id: "t1", name: "Bash", input: { command: "npm test" } });
    driver.endTurn("all green");
    expect(await turn).toMatchObject({ text: "all green", isError: false });
    expect(driver.prompts).toEqual(["run the tests"]);
    expect(harness.manager.get(agent.id)).toMatchObject({
      tasks_completed: 1,
      usage: { input_tokens: 10, output_tokens: 5, cost_usd: 0.01 },
      last_tool: { name: "Bash", summary: "Bash: npm test" },
    });
  });

  it("marks an agent waiting for input when its driver says so, and busy again after", async () => {
    const harness = createHarness(cleanups);
    const agent = await harness.manager.reserve("backend", "task_1");
    const turn = harness.manager.runTurn(agent.id, "task_1", "ask me");
    const driver = harness.drivers[0]!;
    driver.emit("state", "waiting_input");
    expect(harness.manager.get(agent.id).state).toBe("waiting_input");
    driver.emit("state", "busy");
    expect(harness.manager.get(agent.id).state).toBe("busy");
    driver.endTurn("done");
    await turn;
  });

  it("keeps an agent busy through a turn a person typed into it, so a task waits, and counts its tokens", async () => {
    const recorded: TurnTokens[] = [];
    const harness = createHarness(cleanups, {
      maxAgents: 1,
      tokens: {
        record: async (turn) => {
          recorded.push(turn);
        },
      },
    });
    const agent = await harness.manager.spawn("backend");
    const driver = harness.drivers[0]!;
    driver.emit("typedTurn", { phase: "started", prompt: "what changed?" });
    expect(harness.manager.get(agent.id)).toMatchObject({ state: "busy", current_task_id: null });
    // One slot, held by the person's turn: the task's reservation waits for it.
    const reserved = harness.manager.reserve("backend", "task_1");
    let taken = false;
    void reserved.then(() => {
      taken = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toBe(false);
    driver.emit("typedTurn", {
      phase: "ended",
      result: {
        subtype: "success",
        isError: false,
        text: "nothing yet",
        sessionId: null,
        numTurns: null,
        durationMs: 5,
        usage: {
          input_tokens: 7,
          output_tokens: 3,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cost_usd: 0.002,
        },
        totalCostUsd: 0.002,
        apiErrorStatus: null,
        permissionDenials: [],
        interrupted: false,
      },
    });
    expect((await reserved).id).toBe(agent.id);
    expect(harness.manager.get(agent.id)).toMatchObject({
      state: "busy",
      current_task_id: "task_1",
      usage: { input_tokens: 7, output_tokens: 3, cost_usd: 0.002 },
    });
    // A turn of no task, in the token reports too.
    expect(recorded).toEqual([
      expect.objectContaining({
        kind: "turn",
        taskId: null,
        agentId: agent.id,
        role: "backend",
        usage: expect.objectContaining({ input_tokens: 7, output_tokens: 3 }),
      }),
    ]);
  });

  it("records an unexpected driver exit as a crash, and with restarts off leaves it failed", async () => {
    const harness = createHarness(cleanups, { configInput: { agents: { restart_max: 0 } } });
    const agent = await harness.manager.spawn("backend");
    harness.drivers[0]!.emit("exit", { code: 3, signal: null, stderrTail: "" });
    expect(harness.manager.get(agent.id)).toMatchObject({
      state: "failed",
      last_error: { code: "agent_crashed", message: expect.stringContaining("code 3") },
    });
  });
});

describe("idle agents", () => {
  it("stops an agent idle for the idle timeout and keeps its conversation for resuming", async () => {
    const harness = createHarness(cleanups, { idleTimeoutMs: 50 });
    const agent = await harness.manager.reserve("backend", "task_1");
    const stopped = harness.reaches(agent.id, "stopped");
    const turn = harness.manager.runTurn(agent.id, "task_1", "do it");
    harness.drivers[0]!.endTurn("done");
    await turn;
    harness.manager.release(agent.id);
    expect(await stopped).toMatchObject({ id: agent.id, state: "stopped", tasks_completed: 1 });
    await vi.waitFor(() => expect(harness.kept).toEqual([agent.id]));
    expect(harness.drivers[0]!.exited).toBe(true);
  });

  it("clears the idle timer when the agent gets work again, and starts it afresh when it is idle again", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, { idleTimeoutMs: 1_000 });
    const agent = await runOneTurn(harness, "task_1");
    await vi.advanceTimersByTimeAsync(900);
    expect((await harness.manager.reserve("backend", "task_2")).id).toBe(agent.id);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(harness.manager.get(agent.id).state).toBe("busy");
    harness.manager.release(agent.id);
    await vi.advanceTimersByTimeAsync(900);
    expect(harness.manager.get(agent.id).state).toBe("ready");
    await vi.advanceTimersByTimeAsync(200);
    expect(harness.manager.get(agent.id).state).toBe("stopped");
  });

  it("keeps idle agents running when the idle timeout is 0", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, { configInput: { agents: { idle_timeout_s: 0 } } });
    const agent = await runOneTurn(harness, "task_1");
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600 * 1000);
    expect(harness.manager.get(agent.id).state).toBe("ready");
  });

  it("takes its idle timeout from agents.idle_timeout_s", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, { configInput: { agents: { idle_timeout_s: 2 } } });
    const agent = await runOneTurn(harness, "task_1");
    await vi.advanceTimersByTimeAsync(1_900);
    expect(harness.manager.get(agent.id).state).toBe("ready");
    await vi.advanceTimersByTimeAsync(200);
    expect(harness.manager.get(agent.id).state).toBe("stopped");
  });
});

describe("stopped agents", () => {
  it("leave the list once the retention period has passed", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, { stoppedRetentionMs: 60_000 });
    const agent = await harness.manager.spawn("backend");
    await harness.manager.stop(agent.id);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(harness.manager.list().map((listed) => listed.state)).toEqual(["stopped"]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(harness.manager.list()).toEqual([]);
    expect(harness.manager.has(agent.id)).toBe(false);
  });

  it("leave the list at once with a retention of 0, failed ones too", async () => {
    vi.useFakeTimers();
    const harness = createHarness(cleanups, {
      configInput: { agents: { stopped_retention_s: 0, restart_max: 0 } },
    });
    const agent = await harness.manager.spawn("backend");
    harness.drivers[0]!.emit("exit", { code: 1, signal: null, stderrTail: "" });
    expect(harness.manager.get(agent.id).state).toBe("failed");
    await vi.advanceTimersByTimeAsync(1);
    expect(harness.manager.list()).toEqual([]);
  });

  it("show no resident memory, while live agents show their process's", async () => {
    const harness = createHarness(cleanups, { rss: (pid) => (pid === process.pid ? 123_456_789 : null) });
    const first = await harness.manager.spawn("backend");
    const second = await harness.manager.spawn("qa");
    await harness.manager.stop(first.id);
    const byId = new Map(harness.manager.list().map((agent) => [agent.id, agent.rss_bytes]));
    expect(byId).toEqual(
      new Map([
        [first.id, null],
        [second.id, 123_456_789],
      ]),
    );
  });
});
