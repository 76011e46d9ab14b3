import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyProjectFiles } from "./copy-files.js";
import { prepareAgentWorktree } from "./prepare-worktree.js";
import { type ScratchRepository, scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

async function worktreeOf(repository: ScratchRepository): Promise<string> {
  const worktree = await prepareAgentWorktree(repository.git, {
    projectRoot: repository.root,
    projectSlug: repository.projectSlug,
    worktreesDir: repository.worktreesDir,
    agentId: "agent_1",
    branch: "cca-parts/t/p",
    base: "HEAD",
  });
  return worktree.path;
}

describe("copyProjectFiles", () => {
  it("copies folders whole and refreshes older copies", async () => {
    const repository = scratch();
    const worktreePath = await worktreeOf(repository);
    mkdirSync(join(repository.root, "secrets"));
    writeFileSync(join(repository.root, "secrets", "key.pem"), "v1\n");
    await copyProjectFiles(repository.git, {
      projectRoot: repository.root,
      worktreePath,
      files: ["secrets/"],
    });
    writeFileSync(join(repository.root, "secrets", "key.pem"), "v2\n");

    const result = await copyProjectFiles(repository.git, {
      projectRoot: repository.root,
      worktreePath,
      files: ["secrets/"],
    });

    expect(result).toEqual({ copied: ["secrets"], skipped: [] });
    expect(repository.read("secrets/key.pem", worktreePath)).toBe("v2\n");
  });

  it("refuses names outside the project", async () => {
    const repository = scratch();
    const worktreePath = await worktreeOf(repository);
    for (const name of ["../outside", "/etc/passwd", ".", ""]) {
      await expect(
        copyProjectFiles(repository.git, { projectRoot: repository.root, worktreePath, files: [name] }),
        name,
      ).rejects.toMatchObject({ code: "invalid_name" });
    }
  });
});
