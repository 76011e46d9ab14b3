import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { afterEach, describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const frontend = isRole("frontend specialist");

const t = useMockAndCcad();
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A user's project: a git repository with a committed README, then an uncommitted edit of it. */
function userProject(): { root: string; git: (...args: string[]) => string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-worktrees-")));
  folders.push(root);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=user", "-c", "user.email=user@example.com", ...args], {
      cwd: root,
      encoding: "utf8",
    }).trim();
  git("init", "-q", "--initial-branch=main");
  writeFileSync(join(root, "README.md"), "# Shop\n");
  writeFileSync(join(root, "notes.md"), "notes\n");
  git("add", ".");
  git("commit", "-q", "-m", "start");
  writeFileSync(join(root, "notes.md"), "notes, edited by the user and not committed\n");
  return { root, git };
}

/** The folder an agent's Claude Code runs in, as its system prompt names it. */
function workingDirectory(request: RecordedRequest): string {
  return /Primary working directory: (.+)/.exec(request.systemText)?.[1]?.trim() ?? "";
}

/** The Coordinator delegates `parts` in one message, then answers with every tool result whole. */
function coordinatorDelegates(prompt: string, parts: Array<{ role: string; task: string }>) {
  t.mock.on({
    when: (r) => coordinator(r) && r.lastUserText === prompt && r.toolResults.length === 0,
    reply: { toolUses: parts.map((input) => ({ name: DELEGATE, input })) },
  });
  t.mock.on({
    when: (r) => coordinator(r) && r.toolResults.length > 0,
    reply: (r) =>
      replyText(
        r.toolResults.map((result) => `${result.is_error ? "ERROR " : ""}${result.content}`).join("\n---\n"),
      ),
  });
}

/** A specialist of `role` runs `command` with Bash, then says `answer`. */
function specialistRuns(role: (r: RecordedRequest) => boolean, command: string, answer: string) {
  t.mock.on({
    when: (r) => role(r) && r.toolResults.length === 0,
    reply: { toolUses: [{ name: "Bash", input: { command } }] },
  });
  t.mock.on({ when: (r) => role(r) && r.toolResults.length > 0, reply: replyText(answer) });
}

describe("worktrees with real Claude Code", () => {
  it("has two specialists write in worktrees of their own, merges both into cca/<task>, and leaves the user's tree alone until apply", async () => {
    const project = userProject();
    coordinatorDelegates("Add the API and the page", [
      { role: "backend", task: "Write api.txt" },
      { role: "frontend", task: "Write page.txt" },
    ]);
    specialistRuns(backend, "echo api > api.txt", "BACKEND: api.txt written");
    specialistRuns(frontend, "echo page > page.txt", "FRONTEND: page.txt written");

    const { task } = await t.ccad.client.createTaskAndWait({
      description: "Add the API and the page",
      project_dir: project.root,
      timeout_s: 90,
    });

    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    const branch = `cca/${task.id}`;
    expect(task.workspace).toMatchObject({ isolation: "worktree", branch });
    expect(task.result).toContain(`Merged into ${branch}: api.txt.`);
    expect(task.result).toContain(`Merged into ${branch}: page.txt.`);
    expect(project.git("ls-tree", "--name-only", branch).split("\n").sort()).toEqual([
      "README.md",
      "api.txt",
      "notes.md",
      "page.txt",
    ]);
    for (const part of (await t.ccad.client.getTaskTree(task.id)).subtasks) {
      const author = project.git("log", "-1", "--format=%an", part.workspace!.commit!);
      expect(author).toMatch(/^CCA (backend|frontend)$/);
    }

    // Each specialist ran in its own worktree under the daemon's home, not in the project.
    const folders = [backend, frontend].map((role) =>
      workingDirectory(t.mock.requests.find((r) => role(r))!),
    );
    expect(new Set(folders).size).toBe(2);
    for (const folder of folders) expect(folder.startsWith(join(t.ccad.home, "worktrees"))).toBe(true);

    // Untouched until apply: no new files, the uncommitted edit still there, HEAD where it was.
    expect(existsSync(join(project.root, "api.txt"))).toBe(false);
    expect(project.git("status", "--porcelain")).toBe("M notes.md");

    const applied = await fetch(`${t.ccad.url}/api/v1/tasks/${task.id}/apply`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.ccad.token}` },
    });
    expect(applied.status, await applied.clone().text()).toBe(200);
    expect(readFileSync(join(project.root, "api.txt"), "utf8")).toBe("api\n");
    expect(readFileSync(join(project.root, "page.txt"), "utf8")).toBe("page\n");
    expect(readFileSync(join(project.root, "notes.md"), "utf8")).toBe(
      "notes, edited by the user and not committed\n",
    );
    expect(project.git("status", "--porcelain")).toBe("M notes.md");
  });

  it("brings a conflict between two parts back to the Coordinator, with the files and hunks", async () => {
    const project = userProject();
    coordinatorDelegates("Retitle the README", [
      { role: "backend", task: "Title it Backend" },
      { role: "frontend", task: "Title it Frontend" },
    ]);
    specialistRuns(backend, "echo '# Backend shop' > README.md", "BACKEND: retitled");
    specialistRuns(frontend, "echo '# Frontend shop' > README.md", "FRONTEND: retitled");

    const { task } = await t.ccad.client.createTaskAndWait({
      description: "Retitle the README",
      project_dir: project.root,
      timeout_s: 90,
    });

    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    const combined = task.result ?? "";
    expect(combined).toContain(`Merged into cca/${task.id}: README.md.`);
    expect(combined).toMatch(/ERROR [\s\S]*MERGE CONFLICT/);
    expect(combined).toContain("README.md (both modified)");
    expect(combined).toMatch(/<<<<<<<[\s\S]*=======[\s\S]*>>>>>>>/);
    // The task's branch holds one of the two titles, never conflict markers.
    const title = project.git("show", `cca/${task.id}:README.md`);
    expect(["# Backend shop", "# Frontend shop"]).toContain(title);
  });
});
