import { type ActivityEvent, emptyUsage, type Task, type TaskTree } from "@cca/core";
import { describe, expect, it } from "vitest";
import { makeTask } from "../test/fixtures/fake-daemon-api.ts";
import { createColors } from "./layout/colors.ts";
import { renderTaskTreeStatus, roleOfAgent } from "./render-tree.ts";

const now = new Date("2025-01-01T12:05:00.000Z");

function usage(input: number, output: number, cost: number) {
  return { ...emptyUsage(), input_tokens: input, output_tokens: output, cost_usd: cost };
}

/** A tree as the daemon builds it: each node's total counts its subtree. */
function tree(task: Task, subtasks: TaskTree[] = []): TaskTree {
  const total = { ...task.usage };
  for (const subtask of subtasks) {
    total.input_tokens += subtask.total_usage.input_tokens;
    total.output_tokens += subtask.total_usage.output_tokens;
    total.cost_usd += subtask.total_usage.cost_usd;
  }
  return { ...task, subtasks, total_usage: total };
}

const root = tree(
  makeTask({
    id: "task_root",
    status: "running",
    agent_id: "coordinator_0a1b",
    description: "Add user signup",
    usage: usage(2000, 100, 0.01),
  }),
  [
    tree(
      makeTask({
        id: "task_be",
        parent_id: "task_root",
        status: "completed",
        agent_id: "backend_c2d3",
        duration_ms: 12_000,
        description: "Add POST /users with validation",
        usage: usage(3000, 400, 0.012),
      }),
      [
        tree(
          makeTask({
            id: "task_qa",
            parent_id: "task_be",
            status: "running",
            agent_id: "qa_e4f5",
            started_at: "2025-01-01T12:04:20.000Z",
            description: "Test POST /users",
            usage: usage(1000, 200, 0.004),
          }),
        ),
      ],
    ),
    tree(
      makeTask({
        id: "task_fe",
        parent_id: "task_root",
        description: `Build the signup form ${"with care ".repeat(20)}`,
      }),
    ),
  ],
);

describe("roleOfAgent", () => {
  it("takes the role from the agent id's prefix, or a dash before any agent has the task", () => {
    expect(roleOfAgent("backend_3f9c0a")).toBe("backend");
    expect(roleOfAgent("data_engineer_3f9c0a")).toBe("data_engineer");
    expect(roleOfAgent("solo")).toBe("solo");
    expect(roleOfAgent(null)).toBe("—");
  });
});

describe("renderTaskTreeStatus", () => {
  it("shows the detail with the team's total, then nested subtasks with role, status, time, tokens and cost", () => {
    const text = renderTaskTreeStatus(root, { now, width: 100 });

    const detail = text.slice(0, text.indexOf("subtasks\n"));
    const subtasks = text.slice(text.indexOf("subtasks\n"));
    expect(detail).toContain("task     task_root");
    expect(detail).toContain(
      "usage    6.7k tokens (in 6k, out 700, cache write 0, cache read 0), $0.0260 (the team: the task and its 3 subtasks)",
    );
    expect(subtasks.split("\n")).toEqual([
      "subtasks",
      "ROLE        STATUS     TIME   TOKENS  COST     DESCRIPTION",
      "├─ backend  completed  12.0s  4.6k    $0.0160  Add POST /users with validation",
      "│  └─ qa    running    40.0s  1.2k    $0.0040  Test POST /users",
      "└─ —        queued     -      0       $0.0000  Build the signup form with care with care with care …",
    ]);
  });

  it("cuts descriptions to the terminal width", () => {
    const lines = renderTaskTreeStatus(root, { now, width: 70 }).split("\n");
    const rows = lines.filter((line) => /^[├│└]/.test(line));

    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(70);
    expect(rows[0]?.endsWith("  Add POST /users with v…")).toBe(true);
  });

  it("shows a paused part in the tree, in the warning colour where colours are on", () => {
    const pausedRoot = tree(makeTask({ id: "task_root", status: "paused", agent_id: "coordinator_0a1b" }), [
      tree(
        makeTask({
          id: "task_qa",
          parent_id: "task_root",
          status: "paused",
          description: "Test POST /users",
        }),
      ),
    ]);

    const plain = renderTaskTreeStatus(pausedRoot, { now, width: 100 });
    const painted = renderTaskTreeStatus(pausedRoot, { now, width: 100, colors: createColors(true) });

    expect(plain.slice(plain.indexOf("subtasks\n")).split("\n")).toEqual([
      "subtasks",
      "ROLE  STATUS  TIME  TOKENS  COST     DESCRIPTION",
      "└─ —  paused  -     0       $0.0000  Test POST /users",
    ]);
    expect(painted).toContain("└─ —  \u001b[1m\u001b[33mpaused\u001b[39m\u001b[22m  -");
  });

  it("leaves out the subtask section for a task without subtasks", () => {
    const text = renderTaskTreeStatus(tree(makeTask({ id: "task_alone" })), { now, width: 100 });

    expect(text).not.toContain("subtasks");
  });

  it("shows the latest activity of the agents working on running tasks only", () => {
    const event = (seq: number, agent_id: string, summary: string): ActivityEvent => ({
      seq,
      at: "2025-01-01T12:04:57.000Z",
      kind: "agent.tool_use",
      agent_id,
      task_id: null,
      summary,
    });
    const activity = new Map([
      ["qa_e4f5", event(2, "qa_e4f5", "qa: running Bash: npm test")],
      ["backend_c2d3", event(1, "backend_c2d3", "backend: running Edit: src/users.ts")],
    ]);

    const text = renderTaskTreeStatus(root, { now, width: 100, activity });

    expect(text.endsWith("activity\n  3s  qa: running Bash: npm test")).toBe(true);
    expect(text).not.toContain("src/users.ts");
  });
});
