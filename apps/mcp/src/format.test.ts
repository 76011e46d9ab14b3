import { newTask, type Task, type TaskTree } from "@cca/core";
import { describe, expect, it } from "vitest";
import { formatAgo, formatParts, formatTaskAnswer, formatTaskFooter, formatTokens } from "./format.js";

function task(fields: Partial<Task> = {}): Task {
  return {
    ...newTask({ id: "task_1", description: "d", created_at: "2026-01-01T00:00:00Z" }),
    status: "completed",
    ...fields,
  };
}

describe("formatAgo", () => {
  it("says how long ago a timestamp was, in the compact units, as prose", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatAgo("2026-01-01T11:59:48Z", now)).toBe("12s ago");
    expect(formatAgo("2026-01-01T09:00:00Z", now)).toBe("3h ago");
  });
});

describe("formatTaskFooter", () => {
  it("leaves out timings the daemon did not measure", () => {
    expect(formatTaskFooter(task())).toBe("[cca task_1 · completed · tokens 0 in / 0 out · $0.0000]");
  });

  it("counts the team's total, the daemon's team_usage, not only the Coordinator's own usage", () => {
    const own = { ...task().usage, input_tokens: 100, cost_usd: 0.21 };
    const team = { ...own, input_tokens: 300, cost_usd: 0.42 };
    expect(formatTaskFooter(task({ usage: own, team_usage: team }))).toBe(
      "[cca task_1 · completed · tokens 300 in / 0 out · $0.4200]",
    );
  });
});

describe("formatTaskAnswer", () => {
  it("says so when the team finished without a written answer", () => {
    expect(formatTaskAnswer(task({ result: "  " }))).toBe(
      "(The team finished without a written answer.)\n\n[cca task_1 · completed · tokens 0 in / 0 out · $0.0000]",
    );
  });
});

describe("formatParts", () => {
  it("lists each delegated part, nested; the footer has the team's total", () => {
    const usage = (input: number, cost: number) => ({
      ...task().usage,
      input_tokens: input,
      output_tokens: 10,
      cost_usd: cost,
    });
    const leaf = (id: string, agent: string, description: string, input: number): TaskTree => ({
      ...task({ id, agent_id: agent, description, usage: usage(input, 0.01), duration_ms: 1500 }),
      subtasks: [],
      total_usage: usage(input, 0.01),
    });
    const tree: TaskTree = {
      ...task({ usage: usage(100, 0.02) }),
      subtasks: [leaf("t2", "backend_ab12", "Build the API", 1000), leaf("t3", "qa_cd34", "Test it", 500)],
      total_usage: usage(1600, 0.04),
    };
    expect(formatParts(tree)).toBe(
      [
        "Parts:",
        `- backend · completed · ${formatTokens(usage(1000, 0))} · $0.0100 · 1.5s: Build the API`,
        `- qa · completed · ${formatTokens(usage(500, 0))} · $0.0100 · 1.5s: Test it`,
      ].join("\n"),
    );
    expect(formatTaskAnswer(tree)).toContain("Parts:\n- backend");
    expect(formatTaskFooter(tree)).toBe(
      `[cca task_1 · completed · ${formatTokens(usage(1600, 0))} · $0.0400]`,
    );
  });

  it("adds nothing for a task done in one piece", () => {
    expect(formatParts(task())).toBe("");
    expect(formatTaskAnswer(task({ result: "done" }))).not.toContain("Parts:");
  });
});
