import { join } from "node:path";
import { createMockAnthropic, type MockAnthropic, replyError, replyText } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bridgePids,
  type CcadProcess,
  eventually,
  processExists,
  startCcad,
} from "../support/ccad-process.js";
import { connectCcaMcp } from "../support/mcp-client.js";
import { waitForTranscript } from "../support/transcript.js";

let mock: MockAnthropic;
let ccad: CcadProcess | undefined;

beforeEach(async () => {
  mock = await createMockAnthropic();
});

afterEach(async () => {
  await ccad?.stop();
  ccad = undefined;
  await mock.close();
});

const endsWith = (text: string) => (r: { lastUserText: string }) => r.lastUserText.endsWith(text);

describe("failures with real Claude Code", () => {
  it("fails a task with api_error when the Messages API errs, and keeps serving", async () => {
    ccad = await startCcad({ mockUrl: mock.url });
    mock.on({ when: endsWith("break please"), reply: replyError(500, "api_error", "mock outage") });
    mock.on({ when: endsWith("fine now"), reply: replyText("all good") });
    const { task } = await ccad.client.createTaskAndWait({ description: "break please" });
    expect(task).toMatchObject({ status: "failed", error: { code: "api_error" } });
    expect(task.error!.message).toMatch(/500/);
    expect((await ccad.client.createTaskAndWait({ description: "fine now" })).task).toMatchObject({
      status: "completed",
      result: "all good",
    });
  });

  it("restarts Claude Code killed mid-task in its conversation, and the task completes on its retry", async () => {
    ccad = await startCcad({ mockUrl: mock.url, env: { CCA__AGENTS__RESTART_BACKOFF_MS: "10" } });
    mock.on({ when: endsWith("remember the number 42"), reply: replyText("noted") });
    mock.on({ when: endsWith("slow work"), reply: { hang: true } });
    mock.on({
      when: (r) => r.lastUserText.includes("Claude Code stopped during your earlier attempt"),
      reply: replyText("done after all"),
    });
    mock.on({ when: endsWith("what was the number?"), reply: replyText("42") });
    await ccad.client.createTaskAndWait({ description: "remember the number 42" });
    const slow = await ccad.client.createTask({ description: "slow work" });
    await mock.waitForRequest(endsWith("slow work"));
    const [agent] = await ccad.client.listAgents();
    // Resuming needs what Claude Code had written of the conversation before it died.
    await waitForTranscript(join(ccad.home, "claude-home", ".claude"), agent!.session_id!, "noted");
    process.kill(agent!.pid!, "SIGKILL");
    const done = await ccad.client.waitForTask(slow.id, 30);
    expect(done).toMatchObject({ status: "completed", result: "done after all", agent_id: agent!.id });
    const retried = await mock.waitForRequest((r) => r.lastUserText.includes("earlier attempt"));
    expect(retried.lastUserText).toMatch(/signal SIGKILL/);
    // The same agent, restarted in a new process, carries on its conversation.
    expect(retried.allUserText.join("\n")).toContain("remember the number 42");
    const restarted = await ccad.client.getAgent(agent!.id);
    expect(restarted.pid).not.toBe(agent!.pid);
    expect(restarted.session_id).toBe(agent!.session_id);
    const { task } = await ccad.client.createTaskAndWait({ description: "what was the number?" });
    expect(task).toMatchObject({ status: "completed", result: "42", agent_id: agent!.id });
  });

  it("cancels a running task by interrupting the turn; the same agent takes the next task", async () => {
    ccad = await startCcad({ mockUrl: mock.url });
    mock.on({ when: endsWith("long job"), reply: { hang: true } });
    mock.on({ when: endsWith("short job"), reply: replyText("short done") });
    const task = await ccad.client.createTask({ description: "long job" });
    await mock.waitForRequest(endsWith("long job"));
    const cancelled = await ccad.client.cancelTask(task.id);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "task_cancelled" } });
    const agent = await ccad.client.getAgent(cancelled.agent_id!);
    expect(agent.state).toBe("ready");
    expect(processExists(agent.pid!)).toBe(true);
    const { task: next } = await ccad.client.createTaskAndWait({ description: "short job" });
    expect(next).toMatchObject({ status: "completed", result: "short done", agent_id: agent.id });
  });

  it("fails with claude_not_found when the claude binary is missing, through MCP too", async () => {
    ccad = await startCcad({ mockUrl: mock.url, env: { CCA__AGENTS__CLAUDE_PATH: "/nonexistent/claude" } });
    const mcp = await connectCcaMcp(ccad.clientEnv());
    try {
      const outcome = await mcp.call("cca_task", { description: "anything" });
      expect(outcome.isError).toBe(true);
      expect(outcome.text).toContain("claude_not_found");
      expect(outcome.text).toContain("/nonexistent/claude");
      expect((await ccad.client.health()).status).toBe("ok");
    } finally {
      await mcp.close();
    }
  });

  it.each([
    ["SIGTERM", "http"],
    ["SIGINT", "stdio"],
  ] as const)(
    "exits 0 on %s and leaves no Claude Code process behind (agents.bridge = %s)",
    async (signal, bridge) => {
      ccad = await startCcad({ mockUrl: mock.url, env: { CCA__AGENTS__BRIDGE: bridge } });
      mock.on({ when: endsWith("hello"), reply: replyText("hi") });
      await ccad.client.createTaskAndWait({ description: "hello" });
      await ccad.client.spawnAgent("backend");
      const agents = await ccad.client.listAgents();
      const pids = agents.map((agent) => agent.pid!);
      expect(pids).toHaveLength(2);
      const ids = agents.map((agent) => agent.id);
      // Over stdio each agent's Claude Code started a bridge (cca-mcp --agent); over http none.
      expect(bridgePids(ids)).toHaveLength(bridge === "stdio" ? 2 : 0);
      expect(await ccad.stop(signal)).toBe(0);
      expect(pids.filter(processExists)).toEqual([]);
      await eventually(() => bridgePids(ids).length === 0);
    },
  );

  it("says how to start the daemon when it is down", async () => {
    const mcp = await connectCcaMcp({ PATH: process.env.PATH ?? "", CCA_DAEMON_URL: "http://127.0.0.1:1" });
    try {
      const outcome = await mcp.call("cca_task", { description: "anything" });
      expect(outcome.isError).toBe(true);
      expect(outcome.text).toContain("cca daemon start");
    } finally {
      await mcp.close();
    }
  });
});
