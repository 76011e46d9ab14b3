import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { createScratchRepository } from "../src/git/test-support/scratch-repository.js";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

let t: TestDaemon | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A fresh folder with a subfolder `src/`; with `git`, a repository with one commit. */
function scratchFolder(git: boolean): string {
  if (git) {
    const repository = createScratchRepository();
    cleanups.push(() => repository.remove());
    return realpathSync(repository.root);
  }
  const folder = realpathSync(mkdtempSync(join(tmpdir(), "cca-project-")));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  mkdirSync(join(folder, "src"));
  return folder;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

async function running(daemon: TestDaemon, task: Task): Promise<Task> {
  await waitUntil(async () => (await daemon.client.getTask(task.id)).agent_id !== null, 10_000);
  return daemon.client.getTask(task.id);
}

describe("projects", () => {
  it("are a task's git root, or its folder when it is in no repository", async () => {
    t = await startTestDaemon();
    const repo = scratchFolder(true);
    const plain = scratchFolder(false);
    const inRepo = await t.client.createTask({ description: "hi", project_dir: join(repo, "src") });
    const inFolder = await t.client.createTask({ description: "hi", project_dir: join(plain, "src") });
    const none = await t.client.createTask({ description: "hi" });
    expect([inRepo.project, inFolder.project, none.project]).toEqual([repo, join(plain, "src"), null]);
  });

  it("refuse a project_dir that is relative, missing or not a folder, saying what is expected", async () => {
    t = await startTestDaemon();
    const cases: [string, RegExp][] = [
      ["src/app", /must be an absolute path; got "src\/app"/],
      [join(tmpdir(), "cca-no-such-folder"), /does not exist/],
      [execFileSync("node", ["-e", "process.stdout.write(process.execPath)"]).toString(), /is not a folder/],
    ];
    for (const [projectDir, message] of cases) {
      const response = await t.call("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ description: "hi", project_dir: projectDir }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("bad_request");
      expect(body.error.message).toMatch(message);
    }
    expect((await t.client.listTasks()).length).toBe(0);
  });

  it("each have their own Coordinator, in the project folder, and run side by side", async () => {
    t = await startTestDaemon();
    const [one, two] = [scratchFolder(true), scratchFolder(true)];
    const first = await running(t, await t.client.createTask({ description: "hang", project_dir: one }));
    const second = await running(t, await t.client.createTask({ description: "hang", project_dir: two }));
    const [agentOne, agentTwo] = [
      await t.client.getAgent(first.agent_id!),
      await t.client.getAgent(second.agent_id!),
    ];
    // Each in a worktree of its own project, on its task's branch.
    expect(agentOne).toMatchObject({ role: "coordinator", project: one });
    expect(agentTwo).toMatchObject({ role: "coordinator", project: two });
    for (const [agent, task] of [
      [agentOne, first],
      [agentTwo, second],
    ] as const) {
      expect(agent.working_dir.startsWith(join(t.home, "worktrees"))).toBe(true);
      const onBranch = () => {
        try {
          return git(agent.working_dir, "symbolic-ref", "--short", "HEAD") === `cca/${task.id}`;
        } catch {
          return false; // still detached: the worktree is being put on the branch
        }
      };
      await waitUntil(async () => onBranch(), 10_000);
    }
    expect(
      realpathSync(git(agentOne.working_dir, "rev-parse", "--path-format=absolute", "--git-common-dir")),
    ).toBe(join(one, ".git"));
    expect((await t.client.getTask(first.id)).status).toBe("running");
    await t.client.cancelTask(first.id);
    await t.client.cancelTask(second.id);
  });

  it("run one task of a project at a time, and its follow-ups on the same Coordinator", async () => {
    t = await startTestDaemon();
    const [one, two] = [scratchFolder(true), scratchFolder(true)];
    const blocker = await running(t, await t.client.createTask({ description: "hang", project_dir: one }));
    const followUp = await t.client.createTask({ description: "next", project_dir: one });
    const other = await t.client.createTask({ description: "elsewhere", project_dir: two });
    expect(await t.client.waitForTask(other.id, 10)).toMatchObject({ status: "completed" });
    expect((await t.client.getTask(followUp.id)).status).toBe("queued");
    await t.client.cancelTask(blocker.id);
    const done = await t.client.waitForTask(followUp.id, 10);
    expect(done).toMatchObject({ status: "completed", agent_id: blocker.agent_id });
    expect((await t.client.getTask(other.id)).agent_id).not.toBe(blocker.agent_id);
  });

  it("are listed with their tasks, live agents, and the team's tokens and cost", async () => {
    t = await startTestDaemon();
    const [one, two] = [scratchFolder(true), scratchFolder(false)];
    const done = await t.client.createTask({ description: "a", project_dir: one });
    await t.client.waitForTask(done.id, 10);
    const later = await t.client.createTask({ description: "b", project_dir: two });
    await t.client.waitForTask(later.id, 10);
    const projects = await t.client.listProjects();
    expect(projects.map((project) => project.root)).toEqual([two, one]);
    const [summaryTwo] = projects;
    expect(summaryTwo).toMatchObject({ tasks: { total: 1, completed: 1 }, agents: 1 });
    expect(summaryTwo!.usage.cost_usd).toBeCloseTo((await t.client.getTask(later.id)).usage.cost_usd);
  });
});
