// Test support: a fresh git repository in a temporary folder, made with real git, standing in
// for the user's project; and a CCA home with a worktrees folder next to it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { createGitRunner, type GitRunner } from "../run-git.js";

/** A user's project in a temporary folder, with helpers to change it as the user would. */
export interface ScratchRepository {
  /** The repository's root: the user's working tree. */
  root: string;
  /** `<temp>/worktrees`: where agent worktrees go. */
  worktreesDir: string;
  projectSlug: string;
  git: GitRunner;
  /** Runs git in `cwd` (default the root) as the user; returns stdout, trimmed. */
  run(args: string[], cwd?: string): string;
  /** Writes a file (folders made as needed) relative to `cwd` (default the root). */
  write(path: string, content: string, cwd?: string): void;
  read(path: string, cwd?: string): string;
  /** Stages everything and commits as the user; returns the new commit. */
  commitAll(message: string, cwd?: string): string;
  remove(): void;
}

/** The user's identity in scratch repositories. */
export const USER = { name: "Test User", email: "user@example.com" };

/**
 * Makes a repository on branch `main` with `files` committed as the first commit (default: a
 * README and a small source file), and the user's identity in its local config.
 */
export function createScratchRepository(
  files: Record<string, string> = { "README.md": "# Shop\n", "src/app.ts": "export const answer = 42;\n" },
): ScratchRepository {
  const temp = mkdtempSync(join(tmpdir(), "cca-git-"));
  const root = join(temp, "project");
  mkdirSync(root);
  const run = (args: string[], cwd = root) =>
    execFileSync("git", ["-c", "commit.gpgsign=false", ...args], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  const write = (path: string, content: string, cwd = root) => {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), content);
  };
  const commitAll = (message: string, cwd = root) => {
    run(["add", "--all"], cwd);
    run(["commit", "--quiet", "--allow-empty", "-m", message], cwd);
    return run(["rev-parse", "HEAD"], cwd);
  };
  run(["init", "--quiet", "--initial-branch=main"]);
  run(["config", "user.name", USER.name]);
  run(["config", "user.email", USER.email]);
  for (const [path, content] of Object.entries(files)) write(path, content);
  commitAll("Initial commit");
  return {
    root,
    worktreesDir: join(temp, "worktrees"),
    projectSlug: "shop",
    git: createGitRunner({ timeoutMs: 20_000 }),
    run,
    write,
    read: (path, cwd = root) => readFileSync(join(cwd, path), "utf8"),
    commitAll,
    remove: () => rmSync(temp, { recursive: true, force: true }),
  };
}

/** For a test file: a `createScratchRepository` whose repositories are removed after each test. */
export function scratchRepositories(): typeof createScratchRepository {
  const made: ScratchRepository[] = [];
  afterEach(() => {
    for (const repository of made.splice(0)) repository.remove();
  });
  return (files) => {
    const repository = createScratchRepository(files);
    made.push(repository);
    return repository;
  };
}
