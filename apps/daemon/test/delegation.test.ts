import type { Task } from "@cca/core";
import { type CcaError, isTerminalStatus } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { busyCoordinator, startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The ended part of a delegation (the merge is another test's). */
const partOf = (ended: { task: Task }) => ended.task;

describe("delegation", () => {
  it("runs subtasks in parallel on agents of their roles, under the parent", async () => {
    t = await startTestDaemon();
    const { parent, coordinatorId } = await busyCoordinator(t);
    const [backend, qa] = await Promise.all([
      t.daemon.orchestrator.delegate(coordinatorId, { role: "backend", task: "sleep 300" }).then(partOf),
      t.daemon.orchestrator
        .delegate(coordinatorId, {
          role: "qa",
          task: "sleep 300",
          context: "the API is /health",
        })
        .then(partOf),
    ]);
    expect(backend).toMatchObject({ status: "completed", parent_id: parent.id, result: "echo: sleep 300" });
    expect(qa).toMatchObject({ status: "completed", parent_id: parent.id });
    expect(Date.parse(qa.started_at!)).toBeLessThan(Date.parse(backend.finished_at!));
    expect(Date.parse(backend.started_at!)).toBeLessThan(Date.parse(qa.finished_at!));
    const roles = (await t.client.listAgents()).map((agent) => agent.role).sort();
    expect(roles).toEqual(["backend", "coordinator", "qa"]);
  });

  it("passes the context on with the task", async () => {
    t = await startTestDaemon();
    const { coordinatorId } = await busyCoordinator(t);
    const subtask = await t.daemon.orchestrator
      .delegate(coordinatorId, {
        role: "backend",
        task: "look",
        context: "files: a.ts",
      })
      .then(partOf);
    expect(subtask.result).toBe("echo: look\n\nContext from the coordinator:\nfiles: a.ts");
  });

  it("returns a failed subtask as a result, not an error", async () => {
    t = await startTestDaemon();
    const { coordinatorId } = await busyCoordinator(t);
    const subtask = await t.daemon.orchestrator
      .delegate(coordinatorId, {
        role: "backend",
        task: "api-error",
      })
      .then(partOf);
    expect(subtask).toMatchObject({ status: "failed", error: { code: "api_error" } });
  });

  it("times a subtask out and keeps its agent", async () => {
    t = await startTestDaemon();
    const { coordinatorId } = await busyCoordinator(t);
    const subtask = await t.daemon.orchestrator
      .delegate(coordinatorId, {
        role: "backend",
        task: "hang",
        timeout_s: 0.2,
      })
      .then(partOf);
    expect(subtask).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect((await t.client.getAgent(subtask.agent_id!)).state).toBe("ready");
  });

  it("cancels running subtasks when the parent is cancelled", async () => {
    t = await startTestDaemon();
    const { parent, coordinatorId } = await busyCoordinator(t);
    const pending = t.daemon.orchestrator
      .delegate(coordinatorId, { role: "backend", task: "hang" })
      .then(partOf);
    await waitUntil(async () =>
      (await t!.client.listTasks()).some((task) => task.parent_id === parent.id && task.agent_id),
    );
    const cancelled = await t.client.cancelTask(parent.id);
    expect(cancelled.status).toBe("cancelled");
    expect(await pending).toMatchObject({ status: "cancelled", error: { code: "task_cancelled" } });
  });

  it("builds the task tree with each part's usage and the totals", async () => {
    t = await startTestDaemon();
    const { parent, coordinatorId } = await busyCoordinator(t);
    await t.daemon.orchestrator.delegate(coordinatorId, { role: "backend", task: "one" }).then(partOf);
    await t.daemon.orchestrator.delegate(coordinatorId, { role: "qa", task: "two" }).then(partOf);
    await t.client.cancelTask(parent.id);
    const tree = await t.client.getTaskTree(parent.id);
    expect(tree.subtasks.map((subtask) => subtask.description)).toEqual(["one", "two"]);
    expect(tree.subtasks[0]!.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
    expect(tree.total_usage.input_tokens).toBe(tree.usage.input_tokens + 20);
  });

  it("queues a subtask while every slot is busy, then runs it", async () => {
    t = await startTestDaemon({ config: { daemon: { max_agents: 2 } } });
    const { coordinatorId } = await busyCoordinator(t);
    const [first, second] = await Promise.all([
      t.daemon.orchestrator.delegate(coordinatorId, { role: "backend", task: "sleep 200" }).then(partOf),
      t.daemon.orchestrator.delegate(coordinatorId, { role: "backend", task: "sleep 201" }).then(partOf),
    ]);
    expect([first.status, second.status]).toEqual(["completed", "completed"]);
    expect(second.agent_id).toBe(first.agent_id);
    const [earlier, later] = [first, second].sort(
      (a, b) => Date.parse(a.finished_at!) - Date.parse(b.finished_at!),
    );
    expect(Date.parse(later!.finished_at!) - Date.parse(earlier!.finished_at!)).toBeGreaterThanOrEqual(150);
  });

  it("stops an idle agent of another role to make room", async () => {
    t = await startTestDaemon({ config: { daemon: { max_agents: 2 } } });
    const idleQa = await t.client.spawnAgent("qa");
    const { coordinatorId } = await busyCoordinator(t);
    const subtask = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "backend", task: "hi" })
      .then(partOf);
    expect(subtask.status).toBe("completed");
    expect((await t.client.getAgent(idleQa.id)).state).toBe("stopped");
  });

  it("resumes an evicted agent's conversation when its role is needed again", async () => {
    t = await startTestDaemon({ config: { daemon: { max_agents: 2 } } });
    const { coordinatorId } = await busyCoordinator(t);
    const first = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "qa", task: "check it" })
      .then(partOf);
    // backend needs the qa agent's slot: qa is stopped, its conversation kept.
    await t.daemon.orchestrator.delegate(coordinatorId, { role: "backend", task: "build it" }).then(partOf);
    expect((await t.client.getAgent(first.agent_id!)).state).toBe("stopped");
    const again = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "qa", task: "check again" })
      .then(partOf);
    expect(again).toMatchObject({
      status: "completed",
      agent_id: first.agent_id,
      session_id: first.session_id,
    });
    expect((await t.client.getAgent(first.agent_id!)).tasks_completed).toBe(2);
  });

  it("fails instead of waiting forever when the waiting tasks hold every slot", async () => {
    t = await startTestDaemon({ config: { daemon: { max_agents: 1 } } });
    const { coordinatorId } = await busyCoordinator(t);
    const subtask = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "backend", task: "hi" })
      .then(partOf);
    expect(subtask).toMatchObject({ status: "failed", error: { code: "agent_limit_reached" } });
    expect(subtask.error!.message).toMatch(/Raise daemon\.max_agents/);
  });

  it("refuses an unknown role and an agent with no task", async () => {
    t = await startTestDaemon();
    const { coordinatorId } = await busyCoordinator(t);
    const unknown = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "bakend", task: "x" })
      .then(partOf)
      .catch((error: unknown) => error);
    expect((unknown as CcaError).code).toBe("unknown_role");
    const idle = await t.client.spawnAgent("qa");
    const noTask = await t.daemon.orchestrator
      .delegate(idle.id, { role: "backend", task: "x" })
      .then(partOf)
      .catch((e: unknown) => e);
    expect((noTask as CcaError).code).toBe("bad_request");
    expect((await t.client.listTasks()).filter((task) => !isTerminalStatus(task.status))).toHaveLength(1);
  });
});

describe("messages between agents", () => {
  it("delivers a message to a role at the start of that agent's next turn, once", async () => {
    t = await startTestDaemon();
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    expect(t.daemon.agents.deliver(backend.id, "qa", "the API moved to /v2")).toEqual([qa.id]);
    const { coordinatorId } = await busyCoordinator(t);
    const first = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "qa", task: "test it" })
      .then(partOf);
    expect(first.result).toContain(`- from backend (${backend.id}) at `);
    expect(first.result).toContain(": the API moved to /v2\n\n---\n\ntest it");
    const second = await t.daemon.orchestrator
      .delegate(coordinatorId, { role: "qa", task: "again" })
      .then(partOf);
    expect(second.result).toBe("echo: again");
  });

  it("broadcasts to every live agent but the sender, and names the choices for an unknown target", async () => {
    t = await startTestDaemon();
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    const dba = await t.client.spawnAgent("dba");
    expect(t.daemon.agents.deliver(backend.id, "*", "heads up").sort()).toEqual([qa.id, dba.id].sort());
    const error = (() => {
      try {
        t.daemon.agents.deliver(backend.id, "frontend", "x");
      } catch (caught) {
        return caught as CcaError;
      }
    })();
    expect(error?.code).toBe("agent_not_found");
    expect(error?.message).toMatch(/No live agent matches "frontend".*qa/);
  });
});
