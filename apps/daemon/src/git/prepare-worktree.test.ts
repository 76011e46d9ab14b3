import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { partBranchName } from "./branch-names.js";
import { commitPart } from "./commit-part.js";
import { GitError } from "./git-error.js";
import { ensureAgentWorktree, prepareAgentWorktree } from "./prepare-worktree.js";
import { type ScratchRepository, scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

function prepare(
  repository: ScratchRepository,
  agentId: string,
  branch: string,
  base: string,
  copyFiles?: string[],
) {
  return prepareAgentWorktree(repository.git, {
    projectRoot: repository.root,
    projectSlug: repository.projectSlug,
    worktreesDir: repository.worktreesDir,
    agentId,
    branch,
    base,
    copyFiles,
  });
}

async function refusal(work: Promise<unknown>): Promise<GitError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

describe("prepareAgentWorktree", () => {
  it("makes <worktreesDir>/<project>/<agent> on a new branch at the given base, not at HEAD", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    repository.write("later.txt", "committed after the task was submitted\n");
    repository.commitAll("Later");

    const worktree = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), base);

    expect(worktree).toMatchObject({
      path: join(repository.worktreesDir, "shop", "agent_1"),
      branch: "cca-parts/task_1/part_1",
      base,
      created: true,
    });
    expect(repository.run(["rev-parse", "HEAD"], worktree.path)).toBe(base);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], worktree.path)).toBe(
      "cca-parts/task_1/part_1",
    );
    expect(existsSync(join(worktree.path, "later.txt"))).toBe(false);
    expect(repository.run(["status", "--porcelain"])).toBe("");
  });

  it("copies the named untracked files, skips missing ones, and neither commits them nor counts them as changes", async () => {
    const repository = scratch();
    repository.write(".env", "SECRET=1\n");
    const base = repository.run(["rev-parse", "HEAD"]);

    const worktree = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), base, [
      ".env",
      ".env.local",
      "README.md",
    ]);

    expect(worktree.copied).toEqual({
      copied: [".env"],
      skipped: [
        { path: ".env.local", reason: "missing" },
        { path: "README.md", reason: "tracked" },
      ],
    });
    expect(repository.read(".env", worktree.path)).toBe("SECRET=1\n");
    repository.write("src/new.ts", "export {};\n", worktree.path);
    const commit = await commitPart(repository.git, {
      worktreePath: worktree.path,
      role: "backend",
      description: "Add new",
      taskId: "task_1",
    });
    expect(commit).toMatchObject({ committed: true, files: ["src/new.ts"] });
    expect(repository.run(["ls-tree", "-r", "--name-only", "HEAD"], worktree.path)).not.toContain(".env");
  });

  it("reuses a clean worktree for the next task: same folder, new branch at the new base, ignored files kept", async () => {
    const repository = scratch({ ".gitignore": "node_modules/\n", "a.txt": "one\n" });
    const firstBase = repository.run(["rev-parse", "HEAD"]);
    const first = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), firstBase);
    mkdirSync(join(first.path, "node_modules"));
    writeFileSync(join(first.path, "node_modules", "dep.js"), "installed\n");
    repository.write("a.txt", "two\n");
    const secondBase = repository.commitAll("Second");

    const second = await prepare(repository, "agent_1", partBranchName("task_2", "part_1"), secondBase);

    expect(second).toMatchObject({ path: first.path, created: false, base: secondBase });
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], second.path)).toBe("cca-parts/task_2/part_1");
    expect(repository.read("a.txt", second.path)).toBe("two\n");
    expect(repository.read("node_modules/dep.js", second.path)).toBe("installed\n");
    expect(repository.run(["branch", "--list", "cca-parts/task_1/part_1"])).not.toBe("");
  });

  it("on reuse removes its old copies first, so a new base that tracks the same name checks out", async () => {
    const repository = scratch();
    repository.write(".env", "SECRET=1\n");
    const first = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), "HEAD", [".env"]);
    repository.write(".env", "TRACKED=1\n");
    const tracked = repository.commitAll("Track .env");

    const second = await prepare(repository, "agent_1", partBranchName("task_2", "part_1"), tracked, [
      ".env",
    ]);

    expect(second).toMatchObject({ path: first.path, created: false });
    expect(second.copied).toEqual({ copied: [], skipped: [{ path: ".env", reason: "tracked" }] });
    expect(repository.read(".env", second.path)).toBe("TRACKED=1\n");
  });

  it("refuses to reuse a worktree with uncommitted changes, naming the worktree and the files", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    const first = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), base);
    repository.write("README.md", "edited by the agent\n", first.path);
    repository.write("notes.txt", "new\n", first.path);

    const error = await refusal(prepare(repository, "agent_1", partBranchName("task_2", "part_1"), base));

    expect(error.code).toBe("dirty_worktree");
    expect(error.message).toContain(first.path);
    expect(error.message).toContain("uncommitted changes in README.md, notes.txt");
    expect(error.details.files).toEqual(["README.md", "notes.txt"]);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], first.path)).toBe("cca-parts/task_1/part_1");
    expect(repository.read("README.md", first.path)).toBe("edited by the agent\n");
  });

  it("reuses a worktree whose commits only its branch holds: the branch keeps them", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    const first = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), base);
    repository.write("feature.txt", "work\n", first.path);
    const commit = await commitPart(repository.git, {
      worktreePath: first.path,
      role: "backend",
      description: "Feature",
      taskId: "task_1",
    });

    const second = await prepare(repository, "agent_1", partBranchName("task_2", "part_1"), base);

    expect(second.created).toBe(false);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], second.path)).toBe("cca-parts/task_2/part_1");
    expect(commit.committed && repository.run(["rev-parse", "cca-parts/task_1/part_1"])).toBe(
      commit.committed && commit.commit,
    );
  });

  it("refuses to move a detached worktree whose commits no branch holds", async () => {
    const repository = scratch();
    const path = await ensureAgentWorktree(repository.git, {
      projectRoot: repository.root,
      projectSlug: repository.projectSlug,
      worktreesDir: repository.worktreesDir,
      agentId: "agent_1",
    });
    repository.write("stray.txt", "work\n", path);
    repository.commitAll("Stray", path);

    const error = await refusal(
      prepare(
        repository,
        "agent_1",
        partBranchName("task_2", "part_1"),
        repository.run(["rev-parse", "HEAD"]),
      ),
    );

    expect(error.code).toBe("dirty_worktree");
    expect(error.message).toContain("1 commit(s) on a detached HEAD that no other branch holds");
  });

  it("makes an agent's worktree detached at HEAD once, and leaves it alone afterwards", async () => {
    const repository = scratch();
    const path = await ensureAgentWorktree(repository.git, {
      projectRoot: repository.root,
      projectSlug: repository.projectSlug,
      worktreesDir: repository.worktreesDir,
      agentId: "agent_1",
    });
    const head = repository.run(["rev-parse", "HEAD"]);
    expect(repository.run(["rev-parse", "HEAD"], path)).toBe(head);
    repository.write("scratch.txt", "kept\n", path);

    expect(
      await ensureAgentWorktree(repository.git, {
        projectRoot: repository.root,
        projectSlug: repository.projectSlug,
        worktreesDir: repository.worktreesDir,
        agentId: "agent_1",
      }),
    ).toBe(path);
    expect(repository.read("scratch.txt", path)).toBe("kept\n");
    rmSync(join(path, "scratch.txt"));
    const prepared = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), head);
    expect(prepared).toMatchObject({ path, created: false });
  });

  it("keeps a worktree that is on the branch asked for as it is (a resumed part)", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    const branch = partBranchName("task_1", "part_1");
    const first = await prepare(repository, "agent_1", branch, base);
    repository.write("half-done.txt", "in progress\n", first.path);

    const again = await prepare(repository, "agent_1", branch, base);

    expect(again).toMatchObject({ path: first.path, created: false, base });
    expect(repository.read("half-done.txt", again.path)).toBe("in progress\n");
  });

  it("recreates a worktree whose folder was deleted", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    const first = await prepare(repository, "agent_1", partBranchName("task_1", "part_1"), base);
    rmSync(first.path, { recursive: true, force: true });

    const second = await prepare(repository, "agent_1", partBranchName("task_2", "part_1"), base);

    expect(second).toMatchObject({ path: first.path, created: true });
    expect(repository.read("README.md", second.path)).toBe("# Shop\n");
  });

  it("refuses a folder that is in the way and is no worktree of the project", async () => {
    const repository = scratch();
    const path = join(repository.worktreesDir, "shop", "agent_1");
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "stray.txt"), "not ours\n");

    const error = await refusal(prepare(repository, "agent_1", "cca-parts/t/p", "HEAD"));

    expect(error.code).toBe("path_taken");
    expect(error.message).toContain(path);
  });

  it("refuses a base that names no commit, and an agent id that cannot be a folder", async () => {
    const repository = scratch();
    expect((await refusal(prepare(repository, "agent_1", "cca-parts/t/p", "no-such-ref"))).code).toBe(
      "unknown_revision",
    );
    expect((await refusal(prepare(repository, "../escape", "cca-parts/t/p", "HEAD"))).code).toBe(
      "invalid_name",
    );
  });
});
