import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emptyUsage, newTask, noopLogger, type Task } from "@cca/core";
import { describe, expect, it } from "vitest";
import type { TurnResult } from "../agents/agent-driver.js";
import { busyAgent } from "../agents/test-support/busy-agent.js";
import { type ScratchRepository, scratchRepositories } from "../git/test-support/scratch-repository.js";
import { Workspaces } from "../workspaces/workspaces.js";
import { partWorkspace, topLevelWorkspace } from "./turn-workspaces.js";

const scratch = scratchRepositories();

/** Tasks kept in a map, as the repository would keep them. */
function taskStore(tasks: Task[]) {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return {
    byId,
    async update(id: string, fields: Partial<Task>) {
      const updated = { ...byId.get(id)!, ...fields };
      byId.set(id, updated);
      return updated;
    },
    repository: {
      async children(parentId: string) {
        return [...byId.values()].filter((task) => task.parent_id === parentId);
      },
    },
  };
}

const COMPLETED_TURN: TurnResult = {
  text: "done",
  isError: false,
  interrupted: false,
  subtype: "success",
  sessionId: null,
  numTurns: 1,
  durationMs: 1,
  usage: emptyUsage(),
  apiErrorStatus: null,
  permissionDenials: [],
  totalCostUsd: 0,
};

async function setUp(repository: ScratchRepository) {
  const workspaces = new Workspaces({
    git: repository.git,
    worktreesDir: repository.worktreesDir,
    isolation: "worktree",
    copyFiles: [],
  });
  const id = "task_1";
  const task = newTask({
    id,
    description: "Add a feature",
    created_at: "2026-12-02T00:00:00.000Z",
    project: repository.root,
    workspace: (await workspaces.forNewTask(repository.root))(id),
  });
  const part = newTask({
    id: "part_1",
    description: "Write api.ts",
    created_at: "2026-12-02T00:00:00.000Z",
    parent_id: id,
    project: repository.root,
  });
  const store = taskStore([task, part]);
  const deps = { workspaces, records: store, logger: noopLogger };
  const coordinator = busyAgent(
    "coordinator_1",
    "coordinator",
    (await workspaces.agentFolder("coordinator_1", repository.root))!,
  );
  const backend = busyAgent(
    "backend_1",
    "backend",
    (await workspaces.agentFolder("backend_1", repository.root))!,
  );
  return { workspaces, task, part, store, deps, coordinator, backend };
}

describe("the workspaces around turns", () => {
  it("stores a part's branch and commit, and merges a resumed task's finished parts before its turn", async () => {
    const repository = scratch();
    const { task, part, store, deps, coordinator, backend } = await setUp(repository);
    await topLevelWorkspace(deps, task, { resumed: false, autoApply: false }).prepare(coordinator);
    const around = partWorkspace(deps, part, task);
    await around.prepare(backend);
    repository.write("api.ts", "export {};\n", backend.working_dir);
    await around.settle(backend, COMPLETED_TURN);
    store.byId.set(part.id, { ...store.byId.get(part.id)!, status: "completed" });
    expect(store.byId.get(part.id)?.workspace).toMatchObject({ branch: "cca-parts/task_1/part_1" });
    expect(store.byId.get(part.id)?.workspace?.commit).toMatch(/^[0-9a-f]{40}$/);

    // The Coordinator's daemon died before it merged the part: the resumed turn merges it.
    const note = await topLevelWorkspace(deps, task, { resumed: true, autoApply: false }).prepare(
      coordinator,
    );

    expect(note).toBe(
      "What became of those parts' changes:\n- Write api.ts: Merged into cca/task_1: api.ts.",
    );
    expect(repository.run(["ls-tree", "--name-only", "cca/task_1"])).toContain("api.ts");
  });

  it("commits the Coordinator's own changes, frees the branch, and with auto_apply applies it to the user's branch", async () => {
    const repository = scratch();
    repository.write("README.md", "the user's uncommitted edit\n");
    const { task, store, deps, coordinator } = await setUp(repository);
    const around = topLevelWorkspace(deps, task, { resumed: false, autoApply: true });
    await around.prepare(coordinator);
    repository.write("CHANGELOG.md", "- a feature\n", coordinator.working_dir);

    await around.settle(coordinator, COMPLETED_TURN);

    expect(repository.run(["log", "-1", "--format=%an", "cca/task_1"])).toBe("CCA coordinator");
    expect(repository.run(["status", "--porcelain", "--branch"], coordinator.working_dir)).toContain(
      "HEAD (no branch)",
    );
    expect(readFileSync(join(repository.root, "CHANGELOG.md"), "utf8")).toBe("- a feature\n");
    expect(repository.read("README.md")).toBe("the user's uncommitted edit\n");
    expect(store.byId.get(task.id)?.workspace?.applied).toMatch(
      /^applied to main \(fast-forward [0-9a-f]{12}; 1 files\)$/,
    );
  });

  it("does not apply a task whose turn failed, and records why an apply was refused", async () => {
    const repository = scratch();
    const { task, store, deps, coordinator } = await setUp(repository);
    const failing = topLevelWorkspace(deps, task, { resumed: false, autoApply: true });
    await failing.prepare(coordinator);
    repository.write("README.md", "the agent's title\n", coordinator.working_dir);
    await failing.settle(coordinator, { ...COMPLETED_TURN, isError: true });
    expect(store.byId.get(task.id)?.workspace?.applied).toBeNull();

    repository.write("README.md", "the user's own edit\n");
    await topLevelWorkspace(deps, task, { resumed: false, autoApply: true }).settle(
      coordinator,
      COMPLETED_TURN,
    );

    expect(store.byId.get(task.id)?.workspace?.applied).toMatch(/^not applied: .*README\.md/);
    expect(repository.read("README.md")).toBe("the user's own edit\n");
  });
});
