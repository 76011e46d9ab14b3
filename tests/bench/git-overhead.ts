// Git overhead of CCA's worktree model on a generated repository of 10,000 files: making an
// agent's worktree, reusing one for the next task (switching it to a new branch in place), and
// what each task costs in git (commit a part, merge it into the task's branch, the diffstat,
// apply). Real git, no daemon: these are the calls the daemon makes around agents' turns.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyTask,
  commitPart,
  createGitRunner,
  createTaskBranch,
  type GitRunner,
  mergePart,
  partBranchName,
  prepareAgentWorktree,
  pruneAgentWorktrees,
  taskChanges,
  taskDiff,
} from "ccad";
import { countOption } from "./options.js";
import { HEADER, p50, quantile, row } from "./stats.js";

const FILES = countOption("BENCH_GIT_FILES", 10_000);
const WORKTREES = countOption("BENCH_GIT_WORKTREES", 5);
const TASKS = countOption("BENCH_GIT_TASKS", 20);
/** Parts per task, each by its own agent, each changing FILES_PER_PART files. */
const PARTS = 2;
const FILES_PER_PART = 5;
const FOLDERS = 100;

const USER_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Bench User",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench User",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};

function gitAsUser(cwd: string, args: string[]): string {
  return execFileSync("git", ["-c", "commit.gpgsign=false", ...args], {
    cwd,
    env: USER_ENV,
    encoding: "utf8",
  }).trim();
}

function filePath(index: number): string {
  return `module-${String(index % FOLDERS).padStart(3, "0")}/file-${String(index).padStart(5, "0")}.ts`;
}

/** Writes FILES files and commits them with one `git add -A` and one commit; returns the ms taken. */
function generateRepository(root: string): number {
  const started = performance.now();
  mkdirSync(root);
  gitAsUser(root, ["init", "--quiet", "--initial-branch=main"]);
  for (let folder = 0; folder < FOLDERS; folder += 1) {
    mkdirSync(join(root, `module-${String(folder).padStart(3, "0")}`));
  }
  for (let index = 0; index < FILES; index += 1) {
    writeFileSync(
      join(root, filePath(index)),
      `// generated file ${index}\nexport function f${index}(x: number): number {\n  return x + ${index};\n}\n`,
    );
  }
  gitAsUser(root, ["add", "-A"]);
  gitAsUser(root, ["commit", "--quiet", "-m", `${FILES} generated files`]);
  return performance.now() - started;
}

/**
 * Packs the objects, as a cloned repository's are, and turns off automatic gc, whose run in
 * the background (set off by a commit) would otherwise land in the middle of the figures.
 */
function packRepository(root: string): void {
  gitAsUser(root, ["repack", "-a", "-d", "-q"]);
  gitAsUser(root, ["config", "gc.auto", "0"]);
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
}

interface Figures {
  generateMs: number;
  create: number[];
  reuse: number[];
  prune: number[];
  taskBranch: number[];
  partReuse: number[];
  commit: number[];
  merge: number[];
  diffstat: number[];
  diffText: number[];
  apply: number[];
  perTask: number[];
}

async function measure(): Promise<Figures> {
  const temp = mkdtempSync(join(tmpdir(), "cca-bench-git-"));
  const root = join(temp, "project");
  const location = { projectRoot: root, projectSlug: "bench", worktreesDir: join(temp, "worktrees") };
  const git: GitRunner = createGitRunner();
  const figures: Figures = {
    generateMs: generateRepository(root),
    create: [],
    reuse: [],
    prune: [],
    taskBranch: [],
    partReuse: [],
    commit: [],
    merge: [],
    diffstat: [],
    diffText: [],
    apply: [],
    perTask: [],
  };
  packRepository(root);
  try {
    const head = () => gitAsUser(root, ["rev-parse", "HEAD"]);
    const firstBase = head();
    for (let index = 0; index < WORKTREES; index += 1) {
      await timed(figures.create, () =>
        prepareAgentWorktree(git, {
          ...location,
          agentId: `fresh_${index}`,
          branch: partBranchName("warm", `fresh_${index}`),
          base: firstBase,
        }),
      );
    }
    // The project moves on by a commit of 10 files; each worktree is switched to a branch there.
    for (let index = 0; index < 10; index += 1)
      writeFileSync(join(root, filePath(index * 7)), `// moved on ${index}\n`);
    gitAsUser(root, ["commit", "--quiet", "-am", "The user moves on"]);
    const secondBase = head();
    for (let index = 0; index < WORKTREES; index += 1) {
      await timed(figures.reuse, () =>
        prepareAgentWorktree(git, {
          ...location,
          agentId: `fresh_${index}`,
          branch: partBranchName("warm2", `fresh_${index}`),
          base: secondBase,
        }),
      );
    }
    await timed(figures.prune, () => pruneAgentWorktrees(git, location));

    for (let task = 0; task < TASKS; task += 1) {
      const taskId = `task_${task}`;
      const spent: number[] = [];
      const step = async <T>(samples: number[], work: () => Promise<T>): Promise<T> => {
        const result = await timed(samples, work);
        spent.push(samples.at(-1)!);
        return result;
      };
      const { branch, base } = await step(figures.taskBranch, () =>
        createTaskBranch(git, { projectRoot: root, taskId, base: head() }),
      );
      const coordinator = await step(figures.partReuse, () =>
        prepareAgentWorktree(git, { ...location, agentId: "coordinator", branch, base }),
      );
      const partBranches: string[] = [];
      for (let part = 0; part < PARTS; part += 1) {
        const partBranch = partBranchName(taskId, `part_${part}`);
        const worktree = await step(figures.partReuse, () =>
          prepareAgentWorktree(git, { ...location, agentId: `agent_${part}`, branch: partBranch, base }),
        );
        for (let file = 0; file < FILES_PER_PART; file += 1) {
          const index = (task * PARTS * FILES_PER_PART + part * FILES_PER_PART + file) % FILES;
          writeFileSync(join(worktree.path, filePath(index)), `// task ${task} part ${part}\n`);
        }
        await step(figures.commit, () =>
          commitPart(git, {
            worktreePath: worktree.path,
            role: "backend",
            description: `Part ${part}`,
            taskId,
          }),
        );
        partBranches.push(partBranch);
      }
      for (const partBranch of partBranches) {
        const merged = await step(figures.merge, () =>
          mergePart(git, { worktreePath: coordinator.path, taskId, partBranch }),
        );
        if (!merged.merged)
          throw new Error(`${partBranch} conflicted in the benchmark; the parts should not overlap`);
      }
      await step(figures.diffstat, () => taskChanges(git, { projectRoot: root, taskId, base }));
      await step(figures.diffText, () => taskDiff(git, { projectRoot: root, taskId, base }));
      await step(figures.apply, () => applyTask(git, { projectRoot: root, taskId }));
      figures.perTask.push(spent.reduce((sum, ms) => sum + ms, 0));
    }
    return figures;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Prints the table; returns the summary lines. */
export async function runGitOverhead(): Promise<string[]> {
  const gitVersion = execFileSync("git", ["--version"], { encoding: "utf8" }).trim();
  console.log(
    `\nGit overhead (${gitVersion}) on a generated repository of ${FILES} files: ${WORKTREES} worktrees made ` +
      `and reused, then ${TASKS} tasks of ${PARTS} parts (${FILES_PER_PART} files each)`,
  );
  const figures = await measure();
  console.log(
    `generating the repository (write files, one git add -A and commit): ${figures.generateMs.toFixed(0)} ms`,
  );
  console.log(HEADER);
  console.log(row("worktree: create (git worktree add, full checkout)", figures.create));
  console.log(row("worktree: reuse for the next task (switch in place)", figures.reuse));
  console.log(row(`worktree: prune ${WORKTREES} clean ones`, figures.prune));
  console.log(row("task: create cca/<task id>", figures.taskBranch));
  console.log(row("task: reuse a worktree (Coordinator's and each part's)", figures.partReuse));
  console.log(row(`task: commit a part (${FILES_PER_PART} files)`, figures.commit));
  console.log(row("task: merge a part into cca/<task id>", figures.merge));
  console.log(row("task: diffstat per part and total", figures.diffstat));
  console.log(row("task: full diff text", figures.diffText));
  console.log(row("task: apply into the user's tree", figures.apply));
  console.log(row(`task: all of the above, per task (${PARTS} parts)`, figures.perTask));
  const figure = (samples: number[]) =>
    `p50 ${p50(samples).toFixed(0)} ms, p99 ${quantile(samples, 0.99).toFixed(0)} ms`;
  return [
    `worktree on ${FILES} files: create ${figure(figures.create)}; reuse ${figure(figures.reuse)}`,
    `per task (${PARTS} parts): commit ${figure(figures.commit)}, merge ${figure(figures.merge)}, ` +
      `diffstat ${figure(figures.diffstat)}, apply ${figure(figures.apply)}; all git ${figure(figures.perTask)}`,
  ];
}
