import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminalStatus, type Task } from "@cca/core";
import { callTool, type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { screenShows, spawnPtySession } from "@cca/pty";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { activityUntil } from "../support/activity.js";
import type { CcadProcess } from "../support/ccad-process.js";
import { useMockAndCcad } from "../support/e2e-context.js";
import { CCA_CLI_BIN } from "../support/paths.js";

// The Coordinator runs in Claude Code's TUI; it may read but not run commands, so Bash needs an approval.
const configFolder = mkdtempSync(join(tmpdir(), "cca-e2e-interactive-config-"));
const configPath = join(configFolder, "cca.toml");
writeFileSync(
  configPath,
  '[agents.roles.coordinator]\ndriver = "interactive"\nallowed_tools = ["Read", "Glob", "Grep", "TodoWrite"]\n',
);
afterAll(() => rmSync(configFolder, { recursive: true, force: true }));

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function projectFolder(): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-interactive-project-")));
  folders.push(folder);
  return folder;
}

async function ended(ccad: CcadProcess, id: string): Promise<Task> {
  for (;;) {
    const task = await ccad.client.waitForTask(id, 30);
    if (isTerminalStatus(task.status)) return task;
  }
}

describe("interactive agents: real Claude Code's TUI in a PTY, driven through hooks", () => {
  const t = useMockAndCcad({ env: { CCA_CONFIG: configPath } });

  it("runs a task with no dialog in the way, its end and tokens learnt from the Stop hook and transcript", async () => {
    t.mock.on({
      when: (r) => r.lastUserText.includes("greet interactively"),
      reply: replyText("Hello from the TUI", { input_tokens: 4321, output_tokens: 21 }),
    });
    const task = await t.ccad.client.createTask({
      description: "greet interactively",
      project_dir: projectFolder(),
    });
    const done = await ended(t.ccad, task.id);
    expect(done).toMatchObject({ status: "completed", result: "Hello from the TUI" });
    expect(done.usage).toMatchObject({ input_tokens: 4321, output_tokens: 21 });
    const [agent] = (await t.ccad.client.listAgents()).filter((a) => a.role === "coordinator");
    expect(agent).toMatchObject({ driver: "interactive", state: "ready" });
    // The TUI itself sent the turn, not `claude -p`.
    const request = t.mock.requests.find((r) => r.lastUserText.includes("greet interactively"));
    expect(request?.headers["user-agent"]).toContain("(external, cli)");
  });

  it("asks the approval inbox through the PermissionRequest hook and runs the tool once allowed", async () => {
    t.mock.on({
      when: (r) => r.lastUserText.includes("touch it interactively") && r.toolResults.length === 0,
      reply: callTool("Bash", { command: "touch approved.txt", description: "Create the file" }),
    });
    t.mock.on({
      when: (r) => r.allUserText.join("\n").includes("touch it interactively") && r.toolResults.length > 0,
      reply: (r: RecordedRequest) => replyText(`bash said: ${r.toolResults[0]!.is_error ? "error" : "ok"}`),
    });
    const task = await t.ccad.client.createTask({
      description: "touch it interactively",
      project_dir: projectFolder(),
    });
    await activityUntil(t.ccad, (e) => e.kind === "approval.requested");
    const [approval] = await t.ccad.client.listApprovals({ taskId: task.id });
    if (!approval) throw new Error("the approval was asked for, yet none is pending");
    expect(approval).toMatchObject({
      role: "coordinator",
      tool_name: "Bash",
      input: { command: "touch approved.txt" },
    });
    const waiting = await t.ccad.client.getAgent(approval.agent_id);
    expect(waiting.state).toBe("waiting_input");
    expect(existsSync(join(waiting.working_dir, "approved.txt"))).toBe(false);

    await t.ccad.client.answerApproval(approval.id, { allow: true });
    const done = await ended(t.ccad, task.id);
    expect(done).toMatchObject({ status: "completed", result: "bash said: ok" });
    expect(existsSync(join(waiting.working_dir, "approved.txt"))).toBe(true);
  });

  it("lets a person attach to the TUI, type into it, and detach with Ctrl-] leaving it running", async () => {
    t.mock.on({ when: (r) => r.lastUserText === "typed by a person", reply: replyText("Seen your typing") });
    const agent = await t.ccad.client.spawnAgent("backend", { driver: "interactive" });
    const viewer = spawnPtySession(
      process.execPath,
      [CCA_CLI_BIN, "agent", "attach", agent.id.slice(0, 14)],
      {
        env: { ...t.ccad.clientEnv(), NO_COLOR: "1" },
        cols: 110,
        rows: 36,
      },
    );
    try {
      // The agent's own screen, drawn first for the late viewer: Claude Code's banner and input box.
      await screenShows(viewer, "Claude Code");
      viewer.write("typed by a person");
      await screenShows(viewer, "typed by a person");
      viewer.write("\r");
      await t.mock.waitForRequest((r) => r.lastUserText === "typed by a person", 30_000);
      await screenShows(viewer, "Seen your typing");
      viewer.write("\x1d");
      expect((await viewer.exited).code).toBe(0);
    } finally {
      if (!viewer.process.exit) await viewer.kill({ graceMs: 500 });
    }
    // The person's turn kept the agent busy (no task is handed to it meanwhile) until it
    // ended; then it is ready again, with the turn's tokens in its totals.
    let busy = false;
    await activityUntil(t.ccad, (event) => {
      if (event.agent_id !== agent.id || event.kind !== "agent.state") return false;
      if (event.summary.endsWith(": busy")) busy = true;
      return busy && event.summary.endsWith(": ready");
    });
    const after = await t.ccad.client.getAgent(agent.id);
    expect(after.state).toBe("ready");
    expect(after.usage.output_tokens).toBeGreaterThan(0);
    await t.ccad.client.stopAgent(agent.id);
  });

  it("spawns an interactive agent of any role on request, and stops it", async () => {
    const agent = await t.ccad.client.spawnAgent("backend", { driver: "interactive" });
    expect(agent).toMatchObject({ role: "backend", driver: "interactive", state: "ready" });
    const stopped = await t.ccad.client.stopAgent(agent.id);
    expect(stopped.state).toBe("stopped");
  });
});
