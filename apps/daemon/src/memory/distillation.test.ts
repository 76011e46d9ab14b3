import { emptyUsage, newTask, type TaskTree } from "@cca/core";
import { describe, expect, it } from "vitest";
import { distillationPrompt, distillationSchema, parseDistillation } from "./distillation.js";

const tree = (fields: Partial<TaskTree> = {}): TaskTree => ({
  ...newTask({
    id: "task_1",
    description: "Add a created_at column to orders",
    created_at: "2026-12-01T00:00:00.000Z",
  }),
  status: "completed",
  result: "Added the column and its migration.",
  subtasks: [],
  total_usage: emptyUsage(),
  ...fields,
});
const part = (description: string, fields: Partial<TaskTree>) =>
  tree({ id: `task_${description.length}`, parent_id: "task_1", description, ...fields });
const lesson = {
  title: "Write the migration with the column",
  description: "Schema changes",
  content: "Ship both.",
};

describe("the distiller's request", () => {
  it("shows the task, how it ended and what each part did, and asks for the kind of lesson its outcome gives", () => {
    const completed = distillationPrompt({
      tree: tree({
        subtasks: [
          part("Write the migration\nin SQL", { result: "0009_orders.sql written" }),
          part("Run the tests", {
            status: "failed",
            error: { code: "timeout", message: "no answer in 60 s" },
          }),
        ],
      }),
      judge: false,
    });
    expect(completed).toContain("Task (completed):\nAdd a created_at column to orders");
    expect(completed).toContain("Result:\nAdded the column and its migration.");
    expect(completed).toContain("- (completed) Write the migration -> 0009_orders.sql written");
    expect(completed).toContain("- (failed) Run the tests -> no answer in 60 s");
    expect(completed).toContain("Write strategies");

    const failed = distillationPrompt({
      tree: tree({ status: "failed", result: null, error: { code: "turn_failed", message: "tests broke" } }),
      judge: true,
    });
    expect(failed).toContain("It failed: turn_failed: tests broke");
    expect(failed).toContain("Write guardrails");
    // A failed task failed: the judge is asked only about completed ones.
    expect(failed).not.toContain("verdict");
    expect(distillationSchema({ tree: tree({ status: "failed" }), judge: true }).required).toEqual(["items"]);
  });

  it("asks the judge for a verdict on a completed task, in the prompt and the schema", () => {
    const request = { tree: tree(), judge: true };
    expect(distillationPrompt(request)).toContain(
      "First judge whether the result really accomplishes the task",
    );
    expect(distillationSchema(request).required).toEqual(["verdict", "items"]);
  });

  it("cuts a long task short", () => {
    const prompt = distillationPrompt({ tree: tree({ description: "x".repeat(5_000) }), judge: false });
    expect(prompt).toContain(`${"x".repeat(1_999)}…`);
    expect(prompt).not.toContain("x".repeat(2_001));
  });
});

describe("the distiller's answer", () => {
  const request = { tree: tree(), judge: false };

  it("keeps the lessons that fit, at most 3, and drops the others alone", () => {
    const answer = {
      items: [
        lesson,
        { title: "", content: "no title" },
        { ...lesson, title: "Second\nline dropped" },
        lesson,
        lesson,
      ],
    };
    const parsed = parseDistillation(answer, request);
    expect(parsed.items).toEqual([lesson, { ...lesson, title: "Second" }, lesson]);
    expect(parsed.dropped).toBe(2);
    expect(parsed.verdict).toBeNull();
  });

  it("reads the judge's verdict only when it was asked for", () => {
    const answer = { verdict: { success: false, reason: "the column has no default" }, items: [] };
    expect(parseDistillation(answer, { tree: tree(), judge: true }).verdict).toEqual(answer.verdict);
    expect(parseDistillation(answer, request).verdict).toBeNull();
  });

  it("refuses an answer that ignored its schema, saying so", () => {
    expect(() => parseDistillation("three lessons", request)).toThrow(/does not fit its schema/);
    expect(() => parseDistillation({ lessons: [] }, request)).toThrow(/items/);
  });
});
