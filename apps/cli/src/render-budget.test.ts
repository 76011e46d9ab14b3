import { emptyUsage } from "@cca/core";
import { describe, expect, it } from "vitest";
import { makeTask } from "../test/fixtures/fake-daemon-api.ts";
import { formatBudget, formatBudgetUse, pausedTasksNote, resumeHint } from "./render-budget.ts";

const spent = { ...emptyUsage(), input_tokens: 30_000, cache_read_input_tokens: 8_512, cost_usd: 0.412 };

describe("formatBudget", () => {
  it("says a budget in tokens, dollars or both, and when there is none", () => {
    expect(formatBudget({ tokens: 40_000 })).toBe("40,000 tokens");
    expect(formatBudget({ usd: 2.5 })).toBe("$2.50");
    expect(formatBudget({ tokens: 1_500_000, usd: 0.005 })).toBe("1,500,000 tokens and $0.0050");
    expect(formatBudget(null)).toBe("no budget of its own");
  });
});

describe("formatBudgetUse", () => {
  it("adds what the team spent of each limit, every kind of token counted", () => {
    expect(formatBudgetUse({ tokens: 40_000 }, spent)).toBe("40,000 tokens (38,512 spent, 96%)");
    expect(formatBudgetUse({ tokens: 40_000, usd: 0.4 }, spent)).toBe(
      "40,000 tokens (38,512 spent, 96%) and $0.40 ($0.4120 spent, 103%)",
    );
  });
});

describe("resumeHint", () => {
  it("tells how to resume a paused task with another budget of its size or a new total", () => {
    const task = makeTask({ id: "task_p", status: "paused", budget: { tokens: 40_000 } });

    expect(resumeHint(task)).toBe(
      "Task task_p is paused: resume it with `cca task resume task_p` (another 40,000 tokens on top of what it spent) or with `--tokens N` / `--usd X` (its new budget in all, what it spent included).",
    );
  });

  it("for a task without a budget of its own, points to the limit that paused it", () => {
    const task = makeTask({ id: "task_p", status: "paused" });

    expect(resumeHint(task)).toBe(
      "Task task_p is paused: resume it with `cca task resume task_p` once the limit that paused it allows (`cca task status task_p` says which).",
    );
  });

  it("sends a paused part to its task", () => {
    const part = makeTask({ id: "task_part", parent_id: "task_p", status: "paused" });

    expect(resumeHint(part)).toContain("it resumes when that task does");
    expect(resumeHint(part)).toContain("this part's parent is task_p");
  });
});

describe("pausedTasksNote", () => {
  it("says what to do when a listed task is paused, and nothing otherwise", () => {
    const running = makeTask({ id: "task_r", status: "running" });
    const paused = makeTask({ id: "task_p", status: "paused" });

    expect(pausedTasksNote([running, paused])).toBe(
      "Paused tasks: `cca task status <id>` says why, `cca task resume <id>` goes on.",
    );
    expect(pausedTasksNote([running])).toBe("");
  });
});
