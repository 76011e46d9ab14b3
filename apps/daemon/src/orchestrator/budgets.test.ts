import { newTask } from "@cca/core";
import type { ScopeSpends } from "@cca/memory";
import { describe, expect, it } from "vitest";
import { type BudgetLimits, Budgets, NO_LIMITS } from "./budgets.js";

const spend = (tokens: number, usd = 0) => ({ tokens, usd });
const SPENT: ScopeSpends = {
  task: spend(1_500, 0.3),
  day: spend(90_000, 4),
  project: spend(40_000, 2),
  role: spend(20_000, 1),
};
const task = newTask({
  id: "task_1",
  description: "x",
  created_at: "2026-12-04T10:00:00.000Z",
  project: "/work/shop",
});

function budgets(limits: Partial<BudgetLimits>, asked: { dayStart?: Date } = {}) {
  return new Budgets({
    limits: { ...NO_LIMITS, ...limits },
    tokens: {
      spent: async (scope) => {
        asked.dayStart = scope.dayStart;
        return SPENT;
      },
    },
    clock: { now: () => Date.parse("2026-12-04T15:30:00.000Z") },
  });
}

describe("Budgets", () => {
  it("gives a new task its own budget, else the default, else none", () => {
    expect(budgets({}).forNewTask(undefined)).toBeNull();
    expect(budgets({ task_tokens: 5_000 }).forNewTask(undefined)).toEqual({ tokens: 5_000 });
    expect(budgets({ task_tokens: 5_000, task_usd: 1 }).forNewTask({ usd: 2 })).toEqual({ usd: 2 });
  });

  it("lets a turn start under every limit, counting the day from 00:00 UTC", async () => {
    const asked: { dayStart?: Date } = {};
    const limits = { day_tokens: 100_000, project_day_usd: 3, roles: { backend: 30_000 } };
    expect(
      await budgets(limits, asked).exhausted({ ...task, budget: { tokens: 2_000 } }, "backend"),
    ).toBeNull();
    expect(asked.dayStart?.toISOString()).toBe("2026-12-04T00:00:00.000Z");
  });

  it("names the first limit a turn would pass, in tokens or dollars", async () => {
    const over = async (limits: Partial<BudgetLimits>, role = "backend", budget = task.budget) =>
      (await budgets(limits).exhausted({ ...task, budget }, role))?.message;
    expect(await over({}, "backend", { tokens: 1_500 })).toBe(
      "The task's budget of 1,500 tokens is spent (1,500 tokens used)",
    );
    expect(await over({}, "backend", { tokens: 10_000, usd: 0.25 })).toBe(
      "The task's budget of $0.2500 is spent ($0.3000 used)",
    );
    expect(await over({ day_usd: 4 })).toBe(
      "Today's budget of $4.00 ([budgets] day_*) is spent ($4.00 used since 00:00 UTC)",
    );
    expect(await over({ project_day_tokens: 40_000 })).toBe(
      "The budget of 40,000 tokens a day for project /work/shop ([budgets] project_day_*) is spent (40,000 tokens used since 00:00 UTC)",
    );
    expect(await over({ roles: { backend: 20_000 } })).toBe(
      "The backend agents' budget of 20,000 tokens a day ([budgets.roles] backend) is spent (20,000 tokens used since 00:00 UTC)",
    );
    // Another role's limit, and a project's limit for a task without a project, do not apply.
    expect(await over({ roles: { qa: 1 } })).toBeUndefined();
    expect(
      await budgets({ project_day_tokens: 1 }).exhausted({ ...task, project: null }, "backend"),
    ).toBeNull();
  });
});
