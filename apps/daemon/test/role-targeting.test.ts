import { afterEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("a task sent straight to a role", () => {
  it("runs on an agent of that role, and no Coordinator starts", async () => {
    t = await startTestDaemon();
    const task = await t.client.createTask({ description: "fix the typo", role: "backend" });

    const ended = await t.client.waitForTask(task.id, 10);

    expect(ended).toMatchObject({ status: "completed", result: "echo: fix the typo", parent_id: null });
    const agents = await t.client.listAgents();
    expect(agents.map((agent) => agent.role)).toEqual(["backend"]);
    expect(ended.agent_id).toBe(agents[0]?.id);
  });

  it("goes to the Coordinator when the role named is the Coordinator's, as without a role", async () => {
    t = await startTestDaemon();
    const task = await t.client.createTask({ description: "plan it", role: "coordinator" });
    await t.client.waitForTask(task.id, 10);
    expect((await t.client.listAgents()).map((agent) => agent.role)).toEqual(["coordinator"]);
  });

  it("is refused, naming the roles there are, when the role is unknown; nothing is stored", async () => {
    t = await startTestDaemon();
    const response = await t.call("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ description: "hi", role: "bakend" }),
    });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.code).toBe("unknown_role");
    expect(body.error.message).toContain("backend");
    expect((await t.client.listTasks()).length).toBe(0);
  });
});
