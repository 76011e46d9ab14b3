import { afterEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

const daemons: TestDaemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.close();
});

describe("POST /api/v1/agents/:id/messages", () => {
  it("runs the message as a task of the agent's role on that agent, with its usage", async () => {
    const t = await startTestDaemon();
    daemons.push(t);
    const agent = await t.client.spawnAgent("qa");
    const response = await t.call(`/api/v1/agents/${agent.id}/messages`, {
      method: "POST",
      body: JSON.stringify({ message: "check it" }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const { task } = await t.daemon.orchestrator.waitFor(id, 10_000);
    expect(task).toMatchObject({ status: "completed", result: "echo: check it", agent_id: agent.id });
    expect(task.usage.output_tokens).toBeGreaterThan(0);
  });

  it("runs a message to an idle agent while the daemon's one task slot is taken", async () => {
    const t = await startTestDaemon({ config: { daemon: { max_parallel_tasks: 1 } } });
    daemons.push(t);
    const running = await t.client.createTask({ description: "hang" });
    await waitUntil(async () => (await t.client.getTask(running.id)).status === "running");
    const agent = await t.client.spawnAgent("qa");
    const sent = await t.client.sendAgentMessage(agent.id, "check it");
    const { task } = await t.daemon.orchestrator.waitFor(sent.id, 10_000);
    expect(task).toMatchObject({ status: "completed", agent_id: agent.id });
    expect((await t.client.getTask(running.id)).status).toBe("running");
  });

  it("fails a waiting message, naming `cca agent list`, when its agent stops first", async () => {
    const t = await startTestDaemon();
    daemons.push(t);
    const agent = await t.client.spawnAgent("backend");
    const hanging = await t.client.sendAgentMessage(agent.id, "hang");
    await waitUntil(async () => (await t.client.getAgent(agent.id)).current_task_id === hanging.id);
    const waiting = await t.client.sendAgentMessage(agent.id, "later");

    await t.client.stopAgent(agent.id);
    const { task } = await t.daemon.orchestrator.waitFor(waiting.id, 10_000);
    expect(task).toMatchObject({ status: "failed", error: { code: "agent_stopped" } });
    expect(task.error?.message).toContain("cca agent list");
  });

  it("refuses a message for an agent that does not exist (404) or an empty one (400)", async () => {
    const t = await startTestDaemon();
    daemons.push(t);
    const unknown = await t.call("/api/v1/agents/backend_nope/messages", {
      method: "POST",
      body: JSON.stringify({ message: "hello" }),
    });
    expect(unknown.status).toBe(404);
    const agent = await t.client.spawnAgent("backend");
    const empty = await t.call(`/api/v1/agents/${agent.id}/messages`, {
      method: "POST",
      body: JSON.stringify({ message: "  " }),
    });
    expect(empty.status).toBe(400);
  });
});
