import { createMockAnthropic, type MockAnthropic, replyText } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bridgePids,
  type CcadProcess,
  eventually,
  processExists,
  startCcad,
} from "../support/ccad-process.js";

// A Claude Code process that hangs (SIGSTOP: it reads nothing and answers nothing) must not
// block cancel, timeout, the queue behind it or shutdown: every wait on it has a deadline,
// then SIGTERM, then SIGKILL.

const has = (text: string) => (r: { lastUserText: string }) => r.lastUserText.includes(text);

let mock: MockAnthropic;
let ccad: CcadProcess | null = null;
const stopped: number[] = [];
beforeEach(async () => {
  mock = await createMockAnthropic();
});
afterEach(async () => {
  // A stopped process cannot even die of SIGTERM; let whatever is left go.
  for (const pid of stopped.splice(0)) if (processExists(pid)) process.kill(pid, "SIGCONT");
  await ccad?.stop();
  ccad = null;
  await mock.close();
});

/** A running task whose Coordinator is then frozen with SIGSTOP. */
async function freezeCoordinator(env: Record<string, string> = {}) {
  ccad = await startCcad({ mockUrl: mock.url, env: { CCA__DAEMON__SHUTDOWN_GRACE_MS: "1000", ...env } });
  mock.on({ when: has("stuck job"), reply: { hang: true } });
  const task = await ccad.client.createTask({ description: "stuck job" });
  await mock.waitForRequest(has("stuck job"));
  const agent = (await ccad.client.listAgents()).find((candidate) => candidate.current_task_id === task.id)!;
  process.kill(agent.pid!, "SIGSTOP");
  stopped.push(agent.pid!);
  return { ccad, task, agent };
}

describe("a hung (SIGSTOPped) agent", () => {
  it("is cancelled without waiting on it, and the queue behind it moves on", async () => {
    const { ccad, task, agent } = await freezeCoordinator();
    mock.on({ when: has("after it"), reply: replyText("after done") });
    const behind = await ccad.client.createTask({ description: "after it" });
    expect(await ccad.client.cancelTask(task.id)).toMatchObject({ status: "cancelled" });
    expect(await ccad.client.waitForTask(behind.id, 30)).toMatchObject({
      status: "completed",
      result: "after done",
    });
    // The hung process was stopped for good (SIGKILL reaches a stopped process).
    await eventually(() => !processExists(agent.pid!), 10_000);
  });

  it("is timed out: the task fails with timeout", async () => {
    const { ccad, task } = await freezeCoordinator({ CCA__AGENTS__DEFAULT_TIMEOUT_SECONDS: "2" });
    expect(await ccad.client.waitForTask(task.id, 30)).toMatchObject({
      status: "failed",
      error: { code: "timeout" },
    });
  });

  // Over http a frozen Claude Code holds its MCP streams to the daemon open; over stdio its
  // bridge (cca-mcp --agent) is a process that must not outlive the daemon either.
  it.each(["http", "stdio"] as const)(
    "does not hold up shutdown, and no process outlives the daemon (agents.bridge = %s)",
    async (bridge) => {
      const { ccad: daemon, agent } = await freezeCoordinator({ CCA__AGENTS__BRIDGE: bridge });
      expect(bridgePids([agent.id])).toHaveLength(bridge === "stdio" ? 1 : 0);
      expect(await daemon.stop("SIGTERM")).toBe(0);
      ccad = null;
      await eventually(() => !processExists(agent.pid!), 10_000);
      await eventually(() => bridgePids([agent.id]).length === 0, 10_000);
    },
  );
});
