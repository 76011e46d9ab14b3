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

  it("fails a task with agent_crashed when Claude Code dies mid-turn, then resumes the conversation", async () => {
    ccad = await startCcad({ mockUrl: mock.url });
    mock.on({ when: endsWith("remember the number 42"), reply: replyText("noted") });
    mock.on({ when: endsWith("slow work"), reply: { hang: true } });
    mock.on({ when: endsWith("what was the number?"), reply: replyText("42") });
    await ccad.client.createTaskAndWait({ description: "remember the number 42" });
    const slow = await ccad.client.createTask({ description: "slow work" });
    await mock.waitForRequest(endsWith("slow work"));
    const [agent] = await ccad.client.listAgents();
    // Resuming needs what Claude Code had written of the conversation before it died.
    await waitForTranscript(join(ccad.home, "claude-home", ".claude"), agent!.session_id!, "noted");
    expect(bridgePids([agent!.id]).length).toBeGreaterThan(0);
    process.kill(agent!.pid!, "SIGKILL");
    const crashed = await ccad.client.waitForTask(slow.id, 20);
    expect(crashed).toMatchObject({ status: "failed", error: { code: "agent_crashed" } });
    expect(crashed.error!.message).toMatch(/signal SIGKILL/);
    expect((await ccad.client.getAgent(agent!.id)).state).toBe("failed");
    // The killed Claude Code's bridge notices it is orphaned and exits.
    await eventually(() => bridgePids([agent!.id]).length === 0);

    const { task } = await ccad.client.createTaskAndWait({ description: "what was the number?" });
    expect(task).toMatchObject({ status: "completed", result: "42", session_id: agent!.session_id });
    // The same agent, restarted in a new process, carries on its conversation.
    expect(task.agent_id).toBe(agent!.id);
    expect((await ccad.client.getAgent(agent!.id)).pid).not.toBe(agent!.pid);
    const resumed = await mock.waitForRequest(endsWith("what was the number?"));
    expect(resumed.allUserText.join("\n")).toContain("remember the number 42");
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

  it.each(["SIGTERM", "SIGINT"] as const)(
    "exits 0 on %s and leaves no Claude Code process behind",
    async (signal) => {
      ccad = await startCcad({ mockUrl: mock.url });
      mock.on({ when: endsWith("hello"), reply: replyText("hi") });
      await ccad.client.createTaskAndWait({ description: "hello" });
      await ccad.client.spawnAgent("backend");
      const agents = await ccad.client.listAgents();
      const pids = agents.map((agent) => agent.pid!);
      expect(pids).toHaveLength(2);
      const ids = agents.map((agent) => agent.id);
      expect(bridgePids(ids).length).toBeGreaterThan(0);
      expect(await ccad.stop(signal)).toBe(0);
      expect(pids.filter(processExists)).toEqual([]);
      // Nor the agents' bridges (cca-mcp --agent), which Claude Code started.
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
