import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { connectCcaMcp } from "../support/mcp-client.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const frontend = isRole("frontend specialist");

const t = useMockAndCcad();

/** The Coordinator's first reply to `prompt`: one cca_delegate call per part, in one message. */
function coordinatorDelegates(
  prompt: string,
  parts: Array<{ role: string; task: string; timeout_s?: number }>,
) {
  t.mock.on({
    name: "coordinator delegates",
    when: (r) => coordinator(r) && r.lastUserText === prompt && r.toolResults.length === 0,
    reply: { toolUses: parts.map((input) => ({ name: DELEGATE, input })) },
  });
  t.mock.on({
    name: "coordinator combines",
    when: (r) => coordinator(r) && r.toolResults.length > 0,
    reply: (r) =>
      replyText(
        `COMBINED: ${r.toolResults.map((result) => `${result.is_error ? "ERROR " : ""}${result.content.split("\n")[0]}`).join(" | ")}`,
      ),
  });
}

describe("delegation with real Claude Code", () => {
  it("delegates to two specialists in parallel and combines their answers, recording the tree", async () => {
    coordinatorDelegates("Build a signup feature", [
      { role: "backend", task: "Build POST /signup" },
      { role: "frontend", task: "Build the signup form" },
    ]);
    // The backend answers only after a while, so a sequential run would show the frontend starting late.
    t.mock.on({ when: backend, reply: { text: "BACKEND: endpoint done", delayMs: 3000 } });
    t.mock.on({ when: frontend, reply: replyText("FRONTEND: form done") });

    const { task } = await t.ccad.client.createTaskAndWait({
      description: "Build a signup feature",
      timeout_s: 60,
    });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    expect(task.result).toContain("BACKEND: endpoint done");
    expect(task.result).toContain("FRONTEND: form done");

    const tree = await t.ccad.client.getTaskTree(task.id);
    expect(tree.subtasks.map((part) => part.description).sort()).toEqual([
      "Build POST /signup",
      "Build the signup form",
    ]);
    for (const part of tree.subtasks) {
      expect(part).toMatchObject({ status: "completed", parent_id: task.id });
      expect(part.usage.input_tokens).toBeGreaterThan(0);
      expect(part.usage.cost_usd).toBeGreaterThan(0);
    }
    const [backendPart, frontendPart] = ["Build POST /signup", "Build the signup form"].map(
      (description) => tree.subtasks.find((part) => part.description === description)!,
    );
    expect(Date.parse(frontendPart!.started_at!)).toBeLessThan(Date.parse(backendPart!.finished_at!) - 1000);
    expect(tree.total_usage.cost_usd).toBeCloseTo(
      task.usage.cost_usd + backendPart!.usage.cost_usd + frontendPart!.usage.cost_usd,
      6,
    );
    const roles = (await t.ccad.client.listAgents()).map((agent) => agent.role).sort();
    expect(roles).toEqual(["backend", "coordinator", "frontend"]);
  });

  it("relays a specialist's tool use to the Command Center as cca_task progress", async () => {
    coordinatorDelegates("Run the backend tests", [{ role: "backend", task: "Run npm test" }]);
    t.mock.on({
      when: (r) => backend(r) && r.toolResults.length === 0,
      reply: { toolUses: [{ name: "Bash", input: { command: "echo backend-tests-pass" } }] },
    });
    // Answer after the heartbeat (every 5 s) has had a chance to carry the tool use.
    t.mock.on({
      when: (r) => backend(r) && r.toolResults.length > 0,
      reply: { text: "BACKEND: green", delayMs: 5500 },
    });
    const mcp = await connectCcaMcp(t.ccad.clientEnv());
    try {
      const progress: string[] = [];
      const outcome = await mcp.call("cca_task", { description: "Run the backend tests" }, (message) =>
        progress.push(message),
      );
      expect(outcome.text).toContain("BACKEND: green");
      expect(outcome.text).toMatch(/Parts:\n- backend · completed/);
      expect(
        progress.some((message) => message.includes("backend: running Bash: echo backend-tests-pass")),
      ).toBe(true);
    } finally {
      await mcp.close();
    }
  });

  it("hands a failed part back to the Coordinator as an error result, not a crash", async () => {
    coordinatorDelegates("Harden the API", [
      { role: "backend", task: "Add rate limiting" },
      { role: "frontend", task: "Show rate limit errors" },
    ]);
    t.mock.on({
      when: backend,
      reply: { error: { status: 500, type: "api_error", message: "backend model down" } },
    });
    t.mock.on({ when: frontend, reply: replyText("FRONTEND: errors shown") });
    const { task } = await t.ccad.client.createTaskAndWait({ description: "Harden the API", timeout_s: 60 });
    expect(task.status).toBe("completed");
    expect(task.result).toContain("ERROR The backend part failed [api_error]");
    expect(task.result).toContain("FRONTEND: errors shown");
  });

  it("times a part out and reports it to the Coordinator", async () => {
    coordinatorDelegates("Slow work", [{ role: "backend", task: "Never finishes", timeout_s: 1 }]);
    t.mock.on({ when: backend, reply: { hang: true } });
    const { task } = await t.ccad.client.createTaskAndWait({ description: "Slow work", timeout_s: 60 });
    expect(task.status).toBe("completed");
    expect(task.result).toContain("ERROR The backend part failed [timeout]");
  });

  it("cancels the parts when the task is cancelled", async () => {
    coordinatorDelegates("Big job", [{ role: "backend", task: "Long part" }]);
    t.mock.on({ when: backend, reply: { hang: true } });
    const task = await t.ccad.client.createTask({ description: "Big job" });
    await t.mock.waitForRequest(backend, 30_000);
    const cancelled = await t.ccad.client.cancelTask(task.id);
    expect(cancelled.status).toBe("cancelled");
    const tree = await t.ccad.client.getTaskTree(task.id);
    expect(tree.subtasks).toHaveLength(1);
    expect(tree.subtasks[0]).toMatchObject({ status: "cancelled" });
    const agents = await t.ccad.client.listAgents();
    expect(agents.find((agent) => agent.role === "backend")?.state).toBe("ready");
  });
});
