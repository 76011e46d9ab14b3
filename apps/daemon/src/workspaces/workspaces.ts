import {
  type Agent,
  type IsolationMode,
  type Logger,
  noopLogger,
  type PartMerge,
  type Task,
  type TaskWorkspace,
} from "@cca/core";
import {
  type AgentWorktree,
  type ApplyResult,
  agentWorktreePath,
  applyTask,
  commitPart,
  createTaskBranch,
  diffStat,
  ensureAgentWorktree,
  freeBranch,
  type GitRunner,
  isGitError,
  isTaskBranch,
  listAgentWorktrees,
  mergePart,
  PART_BRANCH_PREFIX,
  type PreparedWorktree,
  type PruneReport,
  partBranchName,
  prepareAgentWorktree,
  pruneAgentWorktrees,
  resolveCommit,
  TASK_BRANCH_PREFIX,
  type TaskChanges,
  taskBranchName,
  taskChanges,
  taskDiff,
  type WorktreeLocation,
} from "../git/index.js";
import { chooseIsolation } from "./choose-isolation.js";
import { KeyedSerializer } from "./keyed-serializer.js";
import { partMergeNote } from "./part-merge-note.js";
import { projectSlug } from "./project-slug.js";

export interface WorkspacesOptions {
  git: GitRunner;
  /** `$CCA_HOME/worktrees`: a folder per project, a worktree per agent below it. */
  worktreesDir: string;
  /** `agents.isolation`. */
  isolation: IsolationMode;
  /** `[projects] copy_files`. */
  copyFiles: readonly string[];
  logger?: Logger;
}

/**
 * Where a project's agents work, and what becomes of their changes. In worktree mode every
 * agent has a git worktree of its own; a task gets its branch `cca/<task id>` at its base (the
 * project's HEAD at submission), the Coordinator works on it, each part on a branch of its own
 * made from the task's branch as it is when the part starts (so a part sees the parts merged
 * before it); a part's changes are committed when it ends and merged into the task's branch.
 * In shared mode (asked for, or the folder is not a git repository) agents work in the project
 * folder and none of this happens. The user's working tree is touched only by `apply`.
 * Git operations on one project run one at a time on this daemon.
 */
export class Workspaces {
  readonly #git: GitRunner;
  readonly #options: WorkspacesOptions;
  readonly #logger: Logger;
  readonly #serial = new KeyedSerializer();

  constructor(options: WorkspacesOptions) {
    this.#git = options.git;
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
  }

  /** The workspace of a new top-level task of `project` (null: none), once its id is known. */
  async forNewTask(project: string | null): Promise<(taskId: string) => TaskWorkspace | null> {
    if (project === null) return () => null;
    const choice = await chooseIsolation(this.#git, project, this.#options.isolation);
    return (taskId) => ({
      isolation: choice.isolation,
      branch: choice.isolation === "worktree" ? taskBranchName(taskId) : null,
      base: choice.base,
      commit: null,
      note: choice.note,
      applied: null,
    });
  }

  /**
   * The folder an agent of `project` starts in: its worktree (made if missing) when the
   * project uses worktrees; null when its agents share the project folder.
   */
  async agentFolder(agentId: string, project: string | null): Promise<string | null> {
    if (project === null) return null;
    const choice = await chooseIsolation(this.#git, project, this.#options.isolation);
    if (choice.isolation !== "worktree") return null;
    return this.#serial.run(project, () =>
      ensureAgentWorktree(this.#git, { ...this.#location(project), agentId }),
    );
  }

  /** Makes the task's branch and puts the Coordinator's worktree on it (worktree mode only). */
  async startTask(task: Task, coordinator: Agent): Promise<void> {
    const workspace = task.workspace;
    const project = task.project;
    if (!project || workspace?.isolation !== "worktree" || !workspace.base) return;
    const base = workspace.base;
    await this.#serial.run(project, async () => {
      const branch = await createTaskBranch(this.#git, { projectRoot: project, taskId: task.id, base });
      await this.#takeBranch(project, branch.branch, coordinator.id);
      await this.#prepare(project, coordinator, branch.branch, branch.base);
    });
  }

  /** Puts the part's agent on the part's branch; returns the part's workspace (null when shared). */
  async startPart(part: Task, root: Task, agent: Agent): Promise<TaskWorkspace | null> {
    const project = root.project;
    // Only a top-level task has a branch of its own (and only the Coordinator delegates).
    if (!project || root.parent_id !== null || root.workspace?.isolation !== "worktree") return null;
    const branch = partBranchName(root.id, part.id);
    return this.#serial.run(project, async () => {
      const base = await resolveCommit(this.#git, project, taskBranchName(root.id));
      await this.#takeBranch(project, branch, agent.id);
      const prepared = await this.#prepare(project, agent, branch, base);
      return {
        isolation: "worktree",
        branch,
        base: prepared.base,
        commit: part.workspace?.commit ?? null,
        note: null,
        applied: null,
      } satisfies TaskWorkspace;
    });
  }

  /**
   * Commits what the agent changed in its worktree for `task` (a part on its branch, the
   * Coordinator on the task's branch) as `CCA <role>`. Returns the commit that holds the
   * worktree's work (the agent's own commits count too), or null when it holds none beyond its
   * base, or the agents share the folder.
   */
  async commitTurn(task: Task, rootId: string, agent: Agent): Promise<string | null> {
    const workspace = task.workspace;
    if (!task.project || workspace?.isolation !== "worktree") return null;
    const isPart = task.parent_id !== null;
    return this.#serial.run(task.project, async () => {
      await commitPart(this.#git, {
        worktreePath: agent.working_dir,
        role: agent.role,
        description:
          isPart || agent.role !== "coordinator"
            ? task.description
            : `Coordinator's own changes: ${task.description}`,
        taskId: rootId,
        partId: isPart ? task.id : undefined,
      });
      const head = await resolveCommit(this.#git, agent.working_dir, "HEAD");
      return head === workspace.base ? null : head;
    });
  }

  /**
   * Merges an ended part's branch into its task's branch, in the Coordinator's worktree
   * (`coordinatorFolder`): only a completed part's, and never over a conflict (the merge is
   * aborted and the conflict returned). Null when the agents share the folder.
   */
  async mergePart(root: Task, part: Task, coordinatorFolder: string): Promise<PartMerge | null> {
    const project = root.project;
    const workspace = part.workspace;
    if (!project || root.workspace?.isolation !== "worktree" || workspace?.isolation !== "worktree")
      return null;
    const taskBranch = taskBranchName(root.id);
    const partBranch = workspace.branch ?? partBranchName(root.id, part.id);
    const files =
      workspace.commit && workspace.base
        ? await this.#changedFiles(project, workspace.base, workspace.commit)
        : [];
    const merge = (outcome: PartMerge["outcome"], extra: Partial<PartMerge> = {}): PartMerge => {
      const result = {
        outcome,
        task_branch: taskBranch,
        part_branch: partBranch,
        files,
        conflicts: [],
        truncated: false,
        note: "",
        ...extra,
      };
      return { ...result, note: partMergeNote(result, part.status) };
    };
    if (!workspace.commit) return merge("no_changes");
    if (part.status !== "completed") return merge("not_merged");
    return this.#serial.run(project, async () => {
      const result = await mergePart(this.#git, {
        worktreePath: coordinatorFolder,
        taskId: root.id,
        partBranch,
        summary: part.description,
      });
      if (result.merged) return merge("merged");
      return merge("conflict", { conflicts: result.conflict.files, truncated: result.conflict.truncated });
    });
  }

  /** Frees the task's branch from the Coordinator's worktree (detached at its end), so the user may check it out. */
  async releaseTask(task: Task, coordinator: Agent): Promise<void> {
    if (!task.project || task.workspace?.isolation !== "worktree") return;
    await this.#serial.run(task.project, () =>
      this.#git.run(["switch", "--quiet", "--detach"], { cwd: coordinator.working_dir }).then(() => {}),
    );
  }

  /** What the task's branch changed against its base, per part and in total; null when it has no branch. */
  async changes(task: Task): Promise<TaskChanges | null> {
    const base = task.workspace?.base;
    if (!task.project || task.parent_id !== null || task.workspace?.isolation !== "worktree" || !base)
      return null;
    return taskChanges(this.#git, { projectRoot: task.project, taskId: task.id, base });
  }

  /** The patch of the task's branch against its base; null when it has no branch. */
  async diff(task: Task): Promise<string | null> {
    const base = task.workspace?.base;
    if (!task.project || task.parent_id !== null || task.workspace?.isolation !== "worktree" || !base)
      return null;
    return taskDiff(this.#git, { projectRoot: task.project, taskId: task.id, base });
  }

  /** Merges the task's branch into the project's current branch (see applyTask for when it refuses). */
  async apply(task: Task & { project: string }): Promise<ApplyResult> {
    return this.#serial.run(task.project, () =>
      applyTask(this.#git, { projectRoot: task.project, taskId: task.id }),
    );
  }

  /** The project's agent worktrees, with their states. */
  worktrees(project: string): Promise<AgentWorktree[]> {
    return listAgentWorktrees(this.#git, this.#location(project));
  }

  /**
   * Removes the project's clean worktrees; keeps (and says why) the ones holding work and
   * those of `liveAgents`, whose processes run in them.
   */
  prune(project: string, liveAgents: ReadonlySet<string> = new Set()): Promise<PruneReport> {
    return this.#serial.run(project, () =>
      pruneAgentWorktrees(this.#git, this.#location(project), { keepAgents: liveAgents }),
    );
  }

  async #changedFiles(project: string, from: string, to: string): Promise<string[]> {
    try {
      return (await diffStat(this.#git, project, from, to)).files.map((file) => file.path);
    } catch (error) {
      this.#logger.warn("could not list a part's changed files", { error: String(error) });
      return [];
    }
  }

  /**
   * Puts the agent's worktree on `branch`. Changes left uncommitted on one of CCA's branches
   * (its daemon was killed mid-turn, so nobody committed them) are committed there first, as
   * that work's own, and never carried into the new branch or thrown away.
   */
  async #prepare(project: string, agent: Agent, branch: string, base: string): Promise<PreparedWorktree> {
    const options = {
      ...this.#location(project),
      agentId: agent.id,
      branch,
      base,
      copyFiles: this.#options.copyFiles,
    };
    try {
      return await prepareAgentWorktree(this.#git, options);
    } catch (error) {
      const dirty = isGitError(error, "dirty_worktree") ? error : null;
      const left = leftoverOwner(dirty?.details.branch);
      const path = dirty?.details.path;
      if (!dirty || !left || path === undefined) throw error;
      this.#logger.warn("committing changes an agent left uncommitted on its earlier branch", {
        agent: agent.id,
        branch: dirty.details.branch,
      });
      await commitPart(this.#git, {
        worktreePath: path,
        role: agent.role,
        description: "Changes left uncommitted when this work was cut short",
        taskId: left.taskId,
        partId: left.partId,
      });
      return prepareAgentWorktree(this.#git, options);
    }
  }

  /** Frees `branch` from another agent's worktree (one of a daemon that died mid-task) for this agent's. */
  async #takeBranch(project: string, branch: string, agentId: string): Promise<void> {
    const keep = agentWorktreePath(this.#location(project), agentId);
    const detached = await freeBranch(this.#git, { projectRoot: project, branch, keep });
    if (detached.length > 0)
      this.#logger.info("took a branch over from another worktree", { branch, from: detached });
  }

  #location(project: string): WorktreeLocation {
    return {
      projectRoot: project,
      projectSlug: projectSlug(project),
      worktreesDir: this.#options.worktreesDir,
    };
  }
}

/** The task (and part) a CCA branch belongs to; null for any other branch. */
function leftoverOwner(branch: string | undefined): { taskId: string; partId?: string } | null {
  if (!branch) return null;
  if (isTaskBranch(branch)) return { taskId: branch.slice(TASK_BRANCH_PREFIX.length) };
  const part = branch.startsWith(PART_BRANCH_PREFIX)
    ? branch.slice(PART_BRANCH_PREFIX.length).split("/")
    : [];
  return part.length === 2 ? { taskId: part[0]!, partId: part[1]! } : null;
}
