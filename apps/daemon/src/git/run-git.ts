import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { GitError } from "./git-error.js";

/** How long one git command may run before it is killed, unless the runner is told otherwise. */
export const DEFAULT_GIT_TIMEOUT_MS = 60_000;
/** How much output one git command may print before it is killed (a diff of a huge task). */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Variables that would point git at another repository or index than the folder it runs in
 * (they are set when the daemon itself runs from a git hook).
 */
const REPOSITORY_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
  "GIT_NAMESPACE",
];

/** One run of git: its output and exit code. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How to run one git command. */
export interface GitRunOptions {
  /** The folder git runs in (a repository or worktree). */
  cwd: string;
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`); default [0]. */
  okExitCodes?: readonly number[];
  /** Extra environment (e.g. author identity), on top of the daemon's. */
  env?: Record<string, string>;
  /** This command's deadline, instead of the runner's. */
  timeoutMs?: number;
}

/** Runs git commands with a deadline each; every operation of the git layer takes one. */
export interface GitRunner {
  /** Runs `git <args>` in `options.cwd`; rejects with a GitError on a failure, a timeout or a missing folder. */
  run(args: readonly string[], options: GitRunOptions): Promise<GitResult>;
}

/** How the runner finds and bounds git. */
export interface GitRunnerOptions {
  /** The git executable: a name on PATH or a path; default "git". */
  gitPath?: string;
  /** Deadline of each command in ms (default 60 s): past it the command's process group is killed. */
  timeoutMs?: number;
  /** Output (stdout plus stderr) past which a command is killed; default 64 MiB. */
  maxOutputBytes?: number;
}

/**
 * A GitRunner on the git CLI: argument arrays, never a shell; each command in its own process
 * group, killed (SIGKILL, with whatever it started) at its deadline; English messages
 * (LC_ALL=C) so that the few that are parsed read the same everywhere; never a prompt.
 *
 * @example
 * const git = createGitRunner({ timeoutMs: 30_000 });
 * const { stdout } = await git.run(["rev-parse", "HEAD"], { cwd: projectRoot });
 */
export function createGitRunner(options: GitRunnerOptions = {}): GitRunner {
  const gitPath = options.gitPath ?? "git";
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const baseEnv: Record<string, string | undefined> = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete baseEnv[name];
  Object.assign(baseEnv, {
    LC_ALL: "C",
    LANGUAGE: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_EDITOR: "true",
    GIT_SEQUENCE_EDITOR: "true",
    GIT_PAGER: "cat",
  });

  return {
    run(args, runOptions) {
      const timeoutMs = runOptions.timeoutMs ?? defaultTimeoutMs;
      const command = [gitPath, ...args];
      return new Promise<GitResult>((resolve, reject) => {
        const child = spawn(gitPath, args, {
          cwd: runOptions.cwd,
          env: { ...baseEnv, ...runOptions.env },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let outputBytes = 0;
        let ended: "timeout" | "output" | undefined;
        const killGroup = (reason: "timeout" | "output") => {
          ended ??= reason;
          try {
            if (child.pid) process.kill(-child.pid, "SIGKILL");
          } catch {
            child.kill("SIGKILL");
          }
        };
        const timer = setTimeout(() => killGroup("timeout"), timeoutMs);
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          outputBytes += chunk.length;
          if (outputBytes > maxOutputBytes) killGroup("output");
          else into.push(chunk);
        };
        child.stdout.on("data", collect(stdout));
        child.stderr.on("data", collect(stderr));
        child.on("error", (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(spawnError(error, command, runOptions.cwd));
        });
        child.on("close", (exitCode) => {
          clearTimeout(timer);
          const result = {
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
            exitCode: exitCode ?? -1,
          };
          if (ended === "timeout") {
            reject(
              new GitError(
                "git_timeout",
                `${describe(command)} in ${runOptions.cwd} did not finish within ${timeoutMs} ms and was killed; ` +
                  "check for a hung hook or a stale lock (a killed git can leave index.lock behind; remove it once no git runs there), " +
                  "or raise the git timeout for large repositories",
                { details: { path: runOptions.cwd, command, exitCode, stderr: result.stderr } },
              ),
            );
          } else if (ended === "output") {
            reject(
              new GitError(
                "git_failed",
                `${describe(command)} in ${runOptions.cwd} printed more than ${maxOutputBytes} bytes and was killed`,
                { details: { path: runOptions.cwd, command, exitCode } },
              ),
            );
          } else if (!(runOptions.okExitCodes ?? [0]).includes(result.exitCode)) {
            reject(failure(command, runOptions.cwd, result));
          } else {
            resolve(result);
          }
        });
      });
    },
  };
}

function spawnError(error: NodeJS.ErrnoException, command: string[], cwd: string): GitError {
  if (error.code === "ENOENT" && !existsSync(cwd)) {
    return new GitError("not_a_repository", `${cwd} does not exist, so it is no git repository`, {
      cause: error,
      details: { path: cwd },
    });
  }
  if (error.code === "ENOENT") {
    return new GitError(
      "git_failed",
      `git was not found (looked for "${command[0]}"); install git or set the path to it`,
      { cause: error, details: { path: cwd, command } },
    );
  }
  return new GitError("git_failed", `${describe(command)} in ${cwd} could not start: ${error.message}`, {
    cause: error,
    details: { path: cwd, command },
  });
}

function failure(command: string[], cwd: string, result: GitResult): GitError {
  const stderr = result.stderr.trim();
  if (result.exitCode === 128 && /not a git repository/i.test(stderr)) {
    return new GitError("not_a_repository", `${cwd} is not inside a git repository`, {
      details: { path: cwd, command, exitCode: result.exitCode, stderr },
    });
  }
  return new GitError(
    "git_failed",
    `${describe(command)} in ${cwd} failed with exit code ${result.exitCode}: ${stderr || "(no message)"}`,
    { details: { path: cwd, command, exitCode: result.exitCode, stderr } },
  );
}

/** A command line for a message, shortened when it lists many paths. */
function describe(command: string[]): string {
  const text = command.join(" ");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
