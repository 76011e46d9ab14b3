import { type MemoryHit, newTask, noopLogger } from "@cca/core";
import { describe, expect, it } from "vitest";
import { createTaskMemory } from "./task-memory.js";

const task = newTask({
  id: "task_1",
  description: "Deploy to staging",
  created_at: "2026-12-01T00:00:00.000Z",
  project: "/work/shop",
});
const hit = (kind: "strategy" | "guardrail", title: string, content: string): MemoryHit => ({
  item: {
    id: `mem_${title.length}`,
    kind,
    project: null,
    title,
    description: "",
    content,
    source_task_ids: [],
    confidence: 0.5,
    uses: 0,
    successes: 0,
    failures: 0,
    created_at: "2026-12-01T00:00:00.000Z",
    last_used_at: null,
    embedding_model: "test",
    embedding_dim: 2,
  },
  score: 0.8,
  similarity: 0.6,
  embedding_model: "test",
});

describe("createTaskMemory", () => {
  it("searches with the task's words and project, records what it injects, and marks it as hints", async () => {
    const searches: unknown[] = [];
    const recorded: unknown[] = [];
    const hits = [
      hit("strategy", "Use compose", "docker compose up -d"),
      hit("guardrail", "No prod", "Never target prod"),
    ];
    const hints = createTaskMemory({
      bank: {
        search: async (query, options) => {
          searches.push({ query, ...options });
          return hits;
        },
        recordInjections: async (taskId, injected) => {
          recorded.push({ taskId, ids: injected.map((h) => h.item.id) });
        },
        recordOutcome: async () => [],
      },
      limit: 2,
      logger: noopLogger,
    });
    expect(await hints.forTask(task)).toBe(
      "Hints from CCA's memory of earlier tasks (use them only where they fit this task):\n- Worked before: Use compose. docker compose up -d\n- Avoid: No prod. Never target prod",
    );
    expect(searches).toEqual([{ query: "Deploy to staging", project: "/work/shop", limit: 2 }]);
    expect(recorded).toEqual([{ taskId: task.id, ids: hits.map((h) => h.item.id) }]);
  });

  it("gives no hints when nothing fits, when turned off, or when the search fails", async () => {
    const never = async () => {
      throw new Error("must not be called");
    };
    const none = createTaskMemory({
      bank: { search: async () => [], recordInjections: never, recordOutcome: never },
      limit: 1,
      logger: noopLogger,
    });
    expect(await none.forTask(task)).toBeNull();
    const off = createTaskMemory({
      bank: { search: never, recordInjections: never, recordOutcome: never },
      limit: 0,
      logger: noopLogger,
    });
    expect(await off.forTask(task)).toBeNull();
    const warnings: string[] = [];
    const failing = createTaskMemory({
      bank: { search: never, recordInjections: never, recordOutcome: never },
      limit: 1,
      logger: { ...noopLogger, warn: (message) => warnings.push(message) },
    });
    expect(await failing.forTask(task)).toBeNull();
    expect(warnings).toEqual(["could not search the memory; the task goes without hints"]);
  });

  it("counts a completed task a success and a failed one a failure, and sends top-level ones to the distiller", async () => {
    const outcomes: unknown[] = [];
    const distilled: string[] = [];
    const memory = createTaskMemory({
      bank: {
        search: async () => [],
        recordInjections: async () => {},
        recordOutcome: async (ids, success, judge) => {
          outcomes.push({ ids, success, judge });
          return [];
        },
      },
      limit: 1,
      distiller: { enqueue: (taskId) => distilled.push(taskId) },
      logger: noopLogger,
    });
    for (const status of ["completed", "failed", "cancelled", "interrupted", "queued"] as const) {
      await memory.ended({ ...task, status });
    }
    await memory.ended({ ...task, id: "task_part", parent_id: task.id, status: "completed" });
    expect(outcomes).toEqual([
      { ids: [task.id], success: true, judge: "status" },
      { ids: [task.id], success: false, judge: "status" },
      { ids: ["task_part"], success: true, judge: "status" },
    ]);
    // Parts are distilled with their task, never alone.
    expect(distilled).toEqual([task.id, task.id]);
  });
});
