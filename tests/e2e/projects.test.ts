import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replyText } from "@cca/mock-anthropic";
import { afterEach, describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const t = useMockAndCcad();
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A git repository with one commit, as a user's project would be. */
function scratchRepository(): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-project-")));
  folders.push(folder);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: folder, stdio: "ignore" });
  git("init", "-q");
  git(
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@example.com",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    "start",
  );
  return folder;
}

describe("projects with real Claude Code", () => {
  it("run side by side with a Coordinator each, in a worktree of its project, and follow-ups stay in their project", async () => {
    const [one, two] = [scratchRepository(), scratchRepository()];
    t.mock.on({ when: (r) => r.lastUserText === "long work in one", reply: { hang: true } });
    t.mock.on({ when: (r) => r.lastUserText === "quick work in two", reply: replyText("two done") });
    // After an interrupted turn Claude Code sends the interrupted prompt and the next one together.
    const isFollowUp = (r: { lastUserText: string }) => r.lastUserText.endsWith("follow-up in one");
    t.mock.on({ when: isFollowUp, reply: replyText("one done") });

    const long = await t.ccad.client.createTask({ description: "long work in one", project_dir: one });
    const longRequest = await t.mock.waitForRequest((r) => r.lastUserText === "long work in one");
    // The second project's task does not wait behind the first project's.
    const quick = await t.ccad.client.createTaskAndWait({
      description: "quick work in two",
      project_dir: two,
    });
    expect(quick.task).toMatchObject({ status: "completed", result: "two done", project: two });
    expect((await t.ccad.client.getTask(long.id)).status).toBe("running");
    const quickRequest = await t.mock.waitForRequest((r) => r.lastUserText === "quick work in two");
    // Each Coordinator works in a git worktree of its own project, under the daemon's home.
    const coordinatorOf = async (project: string) =>
      (await t.ccad.client.listAgents()).find(
        (agent) => agent.role === "coordinator" && agent.project === project,
      )!;
    for (const [request, project] of [
      [longRequest, one],
      [quickRequest, two],
    ] as const) {
      const folder = (await coordinatorOf(project)).working_dir;
      expect(folder.startsWith(join(t.ccad.home, "worktrees"))).toBe(true);
      expect(request.systemText).toContain(`Primary working directory: ${folder}`);
      const commonDir = execFileSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], {
        cwd: folder,
        encoding: "utf8",
      }).trim();
      expect(realpathSync(commonDir)).toBe(join(project, ".git"));
    }

    await t.ccad.client.cancelTask(long.id);
    const followUp = await t.ccad.client.createTaskAndWait({
      description: "follow-up in one",
      project_dir: one,
    });
    expect(followUp.task).toMatchObject({ status: "completed", result: "one done" });
    const followUpRequest = await t.mock.waitForRequest(isFollowUp);
    // The same Coordinator conversation as the project's first task, and nothing of the other project.
    expect(followUpRequest.allUserText.join("\n")).toContain("long work in one");
    expect(followUpRequest.allUserText.join("\n")).not.toContain("quick work in two");
    const coordinators = (await t.ccad.client.listAgents()).filter((agent) => agent.role === "coordinator");
    expect(coordinators.map((agent) => agent.project).sort()).toEqual([one, two].sort());
    expect((await t.ccad.client.listProjects()).map((project) => project.root).sort()).toEqual(
      [one, two].sort(),
    );
  });
});
