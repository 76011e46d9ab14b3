import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitError } from "./git-error.js";
import { createGitRunner } from "./run-git.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function plainFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "cca-git-plain-"));
  folders.push(folder);
  return folder;
}

async function failure(work: Promise<unknown>): Promise<GitError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

describe("createGitRunner", () => {
  it("returns git's output", async () => {
    const repository = scratch();
    const { stdout } = await createGitRunner().run(["symbolic-ref", "--short", "HEAD"], {
      cwd: repository.root,
    });
    expect(stdout.trim()).toBe("main");
  });

  it("kills a command at its deadline, with what git started, and says so", async () => {
    const repository = scratch();
    const started = performance.now();
    // A shell alias: git starts sh, which starts sleep; the whole group must go.
    const error = await failure(
      createGitRunner({ timeoutMs: 300 }).run(["-c", "alias.hang=!sleep 30", "hang"], {
        cwd: repository.root,
      }),
    );
    expect(error.code).toBe("git_timeout");
    expect(error.message).toContain("did not finish within 300 ms");
    expect(error.details.command).toEqual(["git", "-c", "alias.hang=!sleep 30", "hang"]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("takes a deadline per command over the runner's", async () => {
    const repository = scratch();
    const git = createGitRunner({ timeoutMs: 60_000 });
    const error = await failure(
      git.run(["-c", "alias.hang=!sleep 30", "hang"], { cwd: repository.root, timeoutMs: 200 }),
    );
    expect(error.code).toBe("git_timeout");
  });

  it("reports a failed command with its command line, exit code and stderr", async () => {
    const repository = scratch();
    const error = await failure(
      createGitRunner().run(["checkout", "no-such-branch"], { cwd: repository.root }),
    );
    expect(error.code).toBe("git_failed");
    expect(error.details).toMatchObject({ command: ["git", "checkout", "no-such-branch"], exitCode: 1 });
    expect(error.details.stderr).toContain("no-such-branch");
    expect(error.message).toContain("failed with exit code 1");
  });

  it("accepts the exit codes it is told are answers", async () => {
    const repository = scratch();
    repository.write("README.md", "changed\n");
    const { exitCode } = await createGitRunner().run(["diff", "--quiet"], {
      cwd: repository.root,
      okExitCodes: [0, 1],
    });
    expect(exitCode).toBe(1);
  });

  it("says not_a_repository for a folder outside any repository and for a missing folder", async () => {
    const git = createGitRunner();
    const outside = await failure(git.run(["status"], { cwd: plainFolder() }));
    expect(outside.code).toBe("not_a_repository");
    const missing = await failure(git.run(["status"], { cwd: join(plainFolder(), "gone") }));
    expect(missing.code).toBe("not_a_repository");
    expect(missing.message).toContain("does not exist");
  });

  it("says what to install when git is not there", async () => {
    const error = await failure(
      createGitRunner({ gitPath: "/nonexistent/git" }).run(["status"], { cwd: plainFolder() }),
    );
    expect(error.code).toBe("git_failed");
    expect(error.message).toContain("install git");
  });

  it("ignores GIT_DIR and friends in the daemon's environment", async () => {
    const repository = scratch();
    const other = scratch();
    process.env.GIT_DIR = join(other.root, ".git");
    try {
      const { stdout } = await createGitRunner().run(["rev-parse", "--show-toplevel"], {
        cwd: repository.root,
      });
      expect(stdout.trim()).toBe(repository.root);
    } finally {
      delete process.env.GIT_DIR;
    }
  });
});
