import { type MemoryHit, newTask, noopLogger } from "@cca/core";
import { describe, expect, it } from "vitest";
import { createMemoryHints, NO_HINTS } from "./memory-hints.js";

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

describe("createMemoryHints", () => {
  it("searches with the task's words and project, records what it injects, and marks it as hints", async () => {
    const searches: unknown[] = [];
    const recorded: unknown[] = [];
    const hits = [
      hit("strategy", "Use compose", "docker compose up -d"),
      hit("guardrail", "No prod", "Never target prod"),
    ];
    const hints = createMemoryHints({
      bank: {
        search: async (query, options) => {
          searches.push({ query, ...options });
          return hits;
        },
        recordInjections: async (taskId, injected) => {
          recorded.push({ taskId, ids: injected.map((h) => h.item.id) });
        },
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
    const none = createMemoryHints({
      bank: { search: async () => [], recordInjections: never },
      limit: 1,
      logger: noopLogger,
    });
    expect(await none.forTask(task)).toBeNull();
    expect(
      createMemoryHints({ bank: { search: never, recordInjections: never }, limit: 0, logger: noopLogger }),
    ).toBe(NO_HINTS);
    const warnings: string[] = [];
    const failing = createMemoryHints({
      bank: { search: never, recordInjections: never },
      limit: 1,
      logger: { ...noopLogger, warn: (message) => warnings.push(message) },
    });
    expect(await failing.forTask(task)).toBeNull();
    expect(warnings).toEqual(["could not search the memory; the task goes without hints"]);
  });
});
