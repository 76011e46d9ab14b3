import { spawn } from "node:child_process";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@cca/core";
import {
  callTool,
  claudeTestEnv,
  type RecordedRequest,
  replyText,
  resolveClaudeBinary,
} from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { connectCcaMcp } from "../support/mcp-client.js";
import { CCA_MCP_BIN } from "../support/paths.js";

const isCoordinator = (request: RecordedRequest) =>
  request.systemText.includes("You are the Coordinator of a CCA team");

const t = useMockAndCcad();

/**
 * Calls `cca_task` for a task the mock never answers, and interrupts the wait (Esc in the
 * Command Center) once the Coordinator has the task; resolves with the task.
 */
async function interruptedWait(
  mcp: Awaited<ReturnType<typeof connectCcaMcp>>,
  description: string,
): Promise<Task> {
  t.mock.on({ when: (r) => isCoordinator(r) && r.lastUserText === description, reply: { hang: true } });
  const interrupt = new AbortController();
  const waiting = mcp.client.callTool({ name: "cca_task", arguments: { description } }, undefined, {
    signal: interrupt.signal,
    timeout: 120_000,
  });
  await t.mock.waitForRequest((r) => isCoordinator(r) && r.lastUserText === description);
  const [task] = await t.ccad.client.listTasks();
  interrupt.abort("the user pressed Esc");
  await expect(waiting).rejects.toThrow();
  return task!;
}

describe("the Command Center path, end to end", () => {
  it("takes a task from an MCP client through cca-mcp and ccad to the real Coordinator and back", async () => {
    t.mock.on({
      when: (request) => isCoordinator(request) && request.lastUserText === "Add a /health endpoint",
      reply: replyText("COORDINATOR: added GET /health with a test", {
        input_tokens: 1200,
        output_tokens: 80,
      }),
    });
    const mcp = await connectCcaMcp(t.ccad.clientEnv());
    try {
      const outcome = await mcp.call("cca_task", { description: "Add a /health endpoint" });
      expect(outcome.isError).toBe(false);
      expect(outcome.text).toContain("COORDINATOR: added GET /health with a test");
      const [task] = await t.ccad.client.listTasks();
      expect(task).toMatchObject({
        status: "completed",
        result: "COORDINATOR: added GET /health with a test",
      });
      expect(task!.usage.input_tokens).toBeGreaterThanOrEqual(1200);
      expect(task!.usage.output_tokens).toBeGreaterThanOrEqual(80);
      expect(task!.usage.cost_usd).toBeGreaterThan(0);
      expect(task!.agent_duration_ms).toBeGreaterThan(0);
      expect(outcome.text).toContain(task!.id);
      const [agent] = await t.ccad.client.listAgents();
      expect(agent).toMatchObject({ role: "coordinator", state: "ready", id: task!.agent_id });
    } finally {
      await mcp.close();
    }
  });

  it("relays what the Coordinator is doing as MCP progress while cca_task waits", async () => {
    t.mock.on({
      when: (r) => isCoordinator(r) && r.lastUserText === "Run the tests" && r.toolResults.length === 0,
      reply: callTool("Bash", { command: "echo tests-ran", description: "run the tests" }),
    });
    // Answer after the heartbeat (every 5 s) has had a chance to report the tool use.
    t.mock.on({
      when: (r) => isCoordinator(r) && r.toolResults.length > 0,
      reply: { text: "tests pass", delayMs: 5500 },
    });
    const mcp = await connectCcaMcp(t.ccad.clientEnv());
    try {
      const progress: string[] = [];
      const outcome = await mcp.call("cca_task", { description: "Run the tests" }, (message) =>
        progress.push(message),
      );
      expect(outcome.text).toContain("tests pass");
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.some((message) => message.includes("coordinator: running Bash: echo tests-ran"))).toBe(
        true,
      );
      const toolResult = await t.mock.waitForRequest((r) => isCoordinator(r) && r.toolResults.length > 0);
      expect(toolResult.toolResults[0]!.content).toContain("tests-ran");
    } finally {
      await mcp.close();
    }
  });

  it("sends a follow-up task to the same Coordinator conversation", async () => {
    t.mock.on({
      when: (r) => isCoordinator(r) && r.lastUserText === "Create a users table",
      reply: replyText("table created"),
    });
    t.mock.on({
      when: (r) => isCoordinator(r) && r.lastUserText === "Now add tests for that",
      reply: replyText("tests added"),
    });
    const mcp = await connectCcaMcp(t.ccad.clientEnv());
    try {
      expect((await mcp.call("cca_task", { description: "Create a users table" })).text).toContain(
        "table created",
      );
      expect((await mcp.call("cca_task", { description: "Now add tests for that" })).text).toContain(
        "tests added",
      );
      const followUp = await t.mock.waitForRequest((r) => r.lastUserText === "Now add tests for that");
      expect(followUp.allUserText).toContain("Create a users table");
      const tasks = await t.ccad.client.listTasks();
      expect(new Set(tasks.map((task) => task.agent_id)).size).toBe(1);
      expect(new Set(tasks.map((task) => task.session_id)).size).toBe(1);
    } finally {
      await mcp.close();
    }
  });

  it("sends the Command Center's project folder: $CLAUDE_PROJECT_DIR, else cca-mcp's working folder", async () => {
    t.mock.on({ when: isCoordinator, reply: replyText("done") });
    const folder = () => realpathSync(mkdtempSync(join(tmpdir(), "cca-project-")));
    const [workingFolder, projectDir] = [folder(), folder()];
    const environments: Record<string, string>[] = [{}, { CLAUDE_PROJECT_DIR: projectDir }];
    for (const env of environments) {
      const mcp = await connectCcaMcp({ ...t.ccad.clientEnv(), ...env }, { cwd: workingFolder });
      try {
        expect((await mcp.call("cca_task", { description: "Say done" })).text).toContain("done");
      } finally {
        await mcp.close();
      }
    }
    const projects = (await t.ccad.client.listTasks()).map((task) => task.project).reverse();
    expect(projects).toEqual([workingFolder, projectDir]);
  });

  it("cancels through cca_cancel a task whose cca_task wait was interrupted, after saying it goes on", async () => {
    const description = "Rewrite the billing module";
    const mcp = await connectCcaMcp(t.ccad.clientEnv());
    try {
      const task = await interruptedWait(mcp, description);

      const status = await mcp.call("cca_status", {});
      expect(status.text).toContain(
        `Task ${task.id} goes on (running) although its cca_task wait was interrupted`,
      );
      expect(status.text).toContain(`cca_cancel {"task_id":"${task.id}"}`);
      expect((await t.ccad.client.getTask(task.id)).status).toBe("running");

      const cancelled = await mcp.call("cca_cancel", { task_id: task.id });
      expect(cancelled.isError).toBe(false);
      expect(cancelled.text).toMatch(
        new RegExp(`^Cancelled task ${task.id}\\.\n\n\\[cca ${task.id} · cancelled · `),
      );
      expect(await t.ccad.client.getTask(task.id)).toMatchObject({
        status: "cancelled",
        error: { code: "task_cancelled" },
      });

      const again = await mcp.call("cca_cancel", { task_id: task.id });
      expect(again).toEqual({
        isError: false,
        text:
          `Task ${task.id} has already ended (cancelled), so there is nothing to cancel; ` +
          `cca_status {"task_id":"${task.id}"} shows how it ended.`,
      });
      const unknown = await mcp.call("cca_cancel", { task_id: "task_nope" });
      expect(unknown.isError).toBe(true);
      expect(unknown.text).toContain("There is no task task_nope to cancel [task_not_found]");
    } finally {
      await mcp.close();
    }
  });

  it("cancels the task of an interrupted cca_task wait when [mcp] cancel_on_interrupt is on", async () => {
    const description = "Port the app to Rust";
    const mcp = await connectCcaMcp({ ...t.ccad.clientEnv(), CCA__MCP__CANCEL_ON_INTERRUPT: "true" });
    try {
      const task = await interruptedWait(mcp, description);

      expect(await t.ccad.client.waitForTask(task.id, 30)).toMatchObject({
        status: "cancelled",
        error: { code: "task_cancelled" },
      });
      const next = await mcp.call("cca_agents", {});
      expect(next.text).toContain(
        `Cancelled task ${task.id} because its cca_task wait was interrupted ([mcp] cancel_on_interrupt).`,
      );
    } finally {
      await mcp.close();
    }
  });

  it("lets a real Claude Code Command Center call cca_task and answer with the Coordinator's reply", async () => {
    const hasCcaTask = (r: RecordedRequest) => r.toolNames.includes("mcp__cca__cca_task");
    t.mock.on({
      name: "command center calls cca_task",
      when: (r) => hasCcaTask(r) && r.toolResults.length === 0,
      reply: callTool("mcp__cca__cca_task", { description: "Build the login page" }),
    });
    t.mock.on({
      name: "command center answers with the tool result",
      when: (r) => hasCcaTask(r) && r.toolResults.length > 0,
      reply: (r) => replyText(`The CCA team answered: ${r.toolResults[0]!.content}`),
    });
    t.mock.on({
      name: "coordinator",
      when: (r) => isCoordinator(r) && r.lastUserText === "Build the login page",
      reply: replyText("LOGIN-PAGE-DONE by the Coordinator"),
    });
    const home = mkdtempSync(join(tmpdir(), "cca-command-center-"));
    const mcpConfig = {
      mcpServers: { cca: { command: process.execPath, args: [CCA_MCP_BIN], env: t.ccad.clientEnv() } },
    };
    const args = [
      "-p",
      "Please build a login page for my app",
      "--output-format",
      "json",
      "--mcp-config",
      JSON.stringify(mcpConfig),
      "--strict-mcp-config",
      "--allowedTools",
      "mcp__cca__cca_task",
    ];
    const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(resolveClaudeBinary(), args, {
        cwd: home,
        env: claudeTestEnv({ mockUrl: t.mock.url, home }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
    expect(output.code, output.stderr).toBe(0);
    const result = JSON.parse(output.stdout) as {
      result: string;
      is_error: boolean;
      permission_denials: unknown[];
    };
    expect(result.permission_denials).toEqual([]);
    expect(result.is_error).toBe(false);
    expect(result.result).toContain("The CCA team answered:");
    expect(result.result).toContain("LOGIN-PAGE-DONE by the Coordinator");
    const [task] = await t.ccad.client.listTasks();
    expect(task).toMatchObject({ description: "Build the login page", status: "completed" });
    // Claude Code starts cca-mcp in its project folder, which every task then carries.
    expect(task!.project).toBe(realpathSync(home));
  });
});
