import { newTask, type Task } from "@cca/core";
import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatTaskAnswer, formatTaskFooter } from "./format.js";

function task(fields: Partial<Task> = {}): Task {
  return {
    ...newTask({ id: "task_1", description: "d", created_at: "2026-01-01T00:00:00Z" }),
    status: "completed",
    ...fields,
  };
}

describe("formatDuration", () => {
  it.each([
    [850, "850ms"],
    [42_100, "42.1s"],
    [185_000, "3m 05s"],
    [7_620_000, "2h 07m"],
  ])("renders %d ms as %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatCost", () => {
  it("keeps four decimals below a dollar and two above", () => {
    expect(formatCost(0.012345)).toBe("$0.0123");
    expect(formatCost(12.345)).toBe("$12.35");
  });
});

describe("formatTaskFooter", () => {
  it("leaves out timings the daemon did not measure", () => {
    expect(formatTaskFooter(task())).toBe("[cca task_1 · completed · tokens 0 in / 0 out · $0.0000]");
  });
});

describe("formatTaskAnswer", () => {
  it("says so when the team finished without a written answer", () => {
    expect(formatTaskAnswer(task({ result: "  " }))).toBe(
      "(The team finished without a written answer.)\n\n[cca task_1 · completed · tokens 0 in / 0 out · $0.0000]",
    );
  });
});
