import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminalStatus, type Task } from "@cca/core";
import { callTool, type MockAnthropic, type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { activityUntil } from "../support/activity.js";
import type { CcadProcess } from "../support/ccad-process.js";
import { useMockAndCcad } from "../support/e2e-context.js";

// The Coordinator may read but not run commands, so its Bash calls need an approval.
const configFolder = mkdtempSync(join(tmpdir(), "cca-e2e-approvals-config-"));
const configPath = join(configFolder, "cca.toml");
writeFileSync(
  configPath,
  '[agents.roles.coordinator]\nallowed_tools = ["Read", "Glob", "Grep", "TodoWrite"]\n',
);
afterAll(() => rmSync(configFolder, { recursive: true, force: true }));

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
/** A project folder (not a git repository, so the agents work in it). */
function projectFolder(): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-approval-project-")));
  folders.push(folder);
  return folder;
}

const TOUCH = "touch approved.txt";

/** The Coordinator runs `touch approved.txt` for prompts with `marker`, then says what Bash answered. */
function scriptTouch(t: { mock: MockAnthropic }, marker: string): void {
  t.mock.on({
    when: (r) => r.lastUserText.includes(marker) && r.toolResults.length === 0,
    reply: callTool("Bash", { command: TOUCH, description: "Create the file" }),
  });
  t.mock.on({
    when: (r) => r.allUserText.join("\n").includes(marker) && r.toolResults.length > 0,
    reply: (r: RecordedRequest) =>
      replyText(`bash said (${r.toolResults[0]!.is_error ? "error" : "ok"}): ${r.toolResults[0]!.content}`),
  });
}

/** Long-polls the task until it ends. */
async function ended(ccad: CcadProcess, id: string): Promise<Task> {
  for (;;) {
    const task = await ccad.client.waitForTask(id, 30);
    if (isTerminalStatus(task.status)) return task;
  }
}

const env = { CCA_CONFIG: configPath };

describe("approvals with real Claude Code", () => {
  const t = useMockAndCcad({ env });

  it("holds a tool use the role does not pre-allow until it is allowed, then runs it", async () => {
    scriptTouch(t, "approve the file");
    const project = projectFolder();
    const task = await t.ccad.client.createTask({ description: "approve the file", project_dir: project });
    const [requested] = (await activityUntil(t.ccad, (e) => e.kind === "approval.requested")).slice(-1);
    expect(requested!.summary).toContain("coordinator wants to run `touch approved.txt`");

    const [approval] = await t.ccad.client.listApprovals({ taskId: task.id });
    expect(approval).toMatchObject({
      role: "coordinator",
      project,
      task_id: task.id,
      tool_name: "Bash",
      input: { command: TOUCH },
      status: "pending",
    });
    const agent = await t.ccad.client.getAgent(approval!.agent_id);
    expect(agent.state).toBe("waiting_input");
    expect(existsSync(join(agent.working_dir, "approved.txt"))).toBe(false);

    await t.ccad.client.answerApproval(approval!.id, { allow: true });
    const done = await ended(t.ccad, task.id);
    expect(done).toMatchObject({
      status: "completed",
      result: "bash said (ok): (Bash completed with no output)",
    });
    expect(existsSync(join(agent.working_dir, "approved.txt"))).toBe(true);
  });

  it("gives the agent a denial with the person's message", async () => {
    scriptTouch(t, "deny the file");
    const task = await t.ccad.client.createTask({
      description: "deny the file",
      project_dir: projectFolder(),
    });
    await activityUntil(t.ccad, (e) => e.kind === "approval.requested");
    const [approval] = await t.ccad.client.listApprovals();
    await t.ccad.client.answerApproval(approval!.id, { allow: false, message: "not in this folder" });
    const done = await ended(t.ccad, task.id);
    expect(done.result).toBe("bash said (error): Denied by the user: not in this folder");
    const agent = await t.ccad.client.getAgent(approval!.agent_id);
    expect(existsSync(join(agent.working_dir, "approved.txt"))).toBe(false);
    expect(agent.state).not.toBe("waiting_input");
  });

  it("lets a remembered command through without asking again", async () => {
    scriptTouch(t, "remember the file");
    const project = projectFolder();
    const first = await t.ccad.client.createTask({ description: "remember the file", project_dir: project });
    await activityUntil(t.ccad, (e) => e.kind === "approval.requested");
    const [approval] = await t.ccad.client.listApprovals();
    await t.ccad.client.answerApproval(approval!.id, { allow: true, remember: "project" });
    expect((await ended(t.ccad, first.id)).status).toBe("completed");
    const agent = await t.ccad.client.getAgent(approval!.agent_id);
    rmSync(join(agent.working_dir, "approved.txt"));

    const second = await t.ccad.client.createTask({
      description: "remember the file again",
      project_dir: project,
    });
    const done = await ended(t.ccad, second.id);
    expect(done).toMatchObject({
      status: "completed",
      result: "bash said (ok): (Bash completed with no output)",
    });
    expect(existsSync(join(agent.working_dir, "approved.txt"))).toBe(true);
    const events = await activityUntil(t.ccad, (e) => e.kind === "task.completed" && e.task_id === second.id);
    expect(events.filter((e) => e.kind === "approval.requested")).toHaveLength(1);
    expect(
      events.some((e) => e.kind === "approval.answered" && e.summary.includes("allowed by remembered rule")),
    ).toBe(true);
    expect(await t.ccad.client.listApprovalRules()).toMatchObject([
      { role: "coordinator", project, tool_name: "Bash", command: TOUCH },
    ]);
  });
});

describe("an approval nobody answers, with real Claude Code", () => {
  const t = useMockAndCcad({ env: { ...env, CCA__AGENTS__APPROVAL_TIMEOUT_S: "2" } });

  it("becomes a denial that tells the agent why", async () => {
    scriptTouch(t, "wait for the file");
    const task = await t.ccad.client.createTask({
      description: "wait for the file",
      project_dir: projectFolder(),
    });
    const done = await ended(t.ccad, task.id);
    expect(done.status).toBe("completed");
    expect(done.result).toMatch(
      /^bash said \(error\): Nobody answered approval approval_\w+ \(to run `touch approved\.txt`\) within 2 s \(agents\.approval_timeout_s\), so it is denied\./,
    );
    expect(await t.ccad.client.listApprovals()).toEqual([]);
  });
});
