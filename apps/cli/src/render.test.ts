import { type DaemonStatus, emptyUsage } from "@cca/core";
import { describe, expect, it } from "vitest";
import { makeDaemonStatus, makeTask } from "../test/fixtures/fake-daemon-api.ts";
import { createColors } from "./layout/colors.ts";
import { renderTable } from "./layout/table.ts";
import { renderDaemonStatus, renderTaskDetail, truncate } from "./render.ts";

const now = new Date("2025-01-01T12:00:00.000Z");

describe("truncate", () => {
  it("truncates to one line with an ellipsis", () => {
    expect(truncate("fix\n  the   bug", 20)).toBe("fix the bug");
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
  });
});

describe("renderTable", () => {
  it("pads columns and cuts the last one to the width", () => {
    const table = renderTable(
      ["ID", "TEXT"],
      [
        ["a", "x".repeat(100)],
        ["bbb", "short"],
      ],
      30,
    );

    expect(table.split("\n")).toEqual(["ID   TEXT", `a    ${"x".repeat(24)}…`, "bbb  short"]);
  });
});

describe("renderTaskDetail", () => {
  it("shows status, timing, usage, and the result and error in full", () => {
    const task = makeTask({
      id: "task_1",
      status: "failed",
      created_at: "2025-01-01T11:58:00.000Z",
      started_at: "2025-01-01T11:58:30.000Z",
      finished_at: "2025-01-01T11:59:00.000Z",
      duration_ms: 60_000,
      num_turns: 1,
      result: "line one\nline two",
      error: { code: "turn_failed", message: "API error" },
      usage: { ...emptyUsage(), input_tokens: 1500, output_tokens: 20, cost_usd: 0.002 },
    });

    const text = renderTaskDetail(task, { now, width: 80 });

    expect(text).toContain("status   failed");
    expect(text).toContain("time     created 2m ago, started 1m ago, finished 1m ago (took 1m00s, 1 turn)");
    expect(text).toContain("usage    1.5k tokens (in 1.5k, out 20, cache write 0, cache read 0), $0.0020");
    expect(text).toContain("result\n  line one\n  line two");
    expect(text).toContain("error\n  turn_failed: API error");
  });
});

describe("renderTaskDetail of a paused task", () => {
  const paused = makeTask({
    id: "task_p",
    status: "paused",
    created_at: "2025-01-01T11:50:00.000Z",
    started_at: "2025-01-01T11:51:00.000Z",
    resumed_at: "2025-01-01T11:55:00.000Z",
    budget: { tokens: 40_000 },
    usage: { ...emptyUsage(), input_tokens: 40_500, output_tokens: 500, cost_usd: 0.3 },
    result: "The endpoint is in; its tests are not written.",
    error: {
      code: "budget_exhausted",
      message: [
        "The task's budget of 40,000 tokens is spent (41,000). Its turn finished, but 1 part did not run, so the task is paused with its answer so far.",
        'Done: "Add POST /users".',
        'Not run yet: "Test POST /users".',
        "Resume it with a bigger budget: cca task resume task_p (POST /api/v1/tasks/task_p/resume, or cca_resume).",
      ].join("\n"),
    },
  });

  it("shows its budget with what was spent, its answer so far, and why it paused with what is left", () => {
    const text = renderTaskDetail(paused, { now, width: 80 });

    expect(text).toContain("status   paused\n");
    expect(text).toContain("time     created 10m ago, started 9m ago, resumed 5m ago\n");
    expect(text).toContain("budget   40,000 tokens (41,000 spent, 102%)\n");
    expect(text).toContain("result so far\n  The endpoint is in; its tests are not written.");
    expect(
      text.endsWith(
        [
          "paused",
          "  The task's budget of 40,000 tokens is spent (41,000). Its turn finished, but 1 part did not run, so the task is paused with its answer so far.",
          '  Done: "Add POST /users".',
          '  Not run yet: "Test POST /users".',
          "  Resume it with a bigger budget: `cca task resume task_p`.",
        ].join("\n"),
      ),
    ).toBe(true);
    expect(text).not.toContain("budget_exhausted");
    expect(text).not.toContain("\nerror\n");
  });

  it("paints the paused status and heading like a warning where colours are on", () => {
    const text = renderTaskDetail(paused, { now, width: 80, colors: createColors(true) });

    const yellow = "\u001b[1m\u001b[33mpaused\u001b[39m\u001b[22m";
    expect(text).toContain(`status   ${yellow}\n`);
    expect(text).toContain(`\n\n${yellow}\n  The task's budget`);
  });

  it("shows no budget line for a task without one", () => {
    expect(renderTaskDetail(makeTask({ id: "task_n" }), { now, width: 80 })).not.toContain("budget");
  });
});

describe("renderDaemonStatus", () => {
  it("summarises agents and tasks by state, leaving out empty counts", () => {
    const text = renderDaemonStatus(
      {
        version: "1.0.0",
        pid: 7,
        uptime_s: 3700,
        bind_address: "127.0.0.1:9200",
        config_source: null,
        bus: "memory",
        agents: { total: 2, max: 10, by_state: { ready: 1, busy: 1, failed: 0 } },
        tasks: { total: 3, by_status: { completed: 3 } },
        usage: emptyUsage(),
      },
      "http://127.0.0.1:9200",
    );

    expect(text.split("\n").slice(0, 3)).toEqual([
      "ccad 1.0.0 running at http://127.0.0.1:9200 (pid 7, up 1h01m)",
      "agents   2 of 10 (ready 1, busy 1)",
      "tasks    3 (completed 3)",
    ]);
  });

  it("says when the API's rate limit holds turns back", () => {
    const status = (turns: DaemonStatus["turns"]) =>
      renderDaemonStatus(makeDaemonStatus({ uptime_s: 1, turns }), "http://127.0.0.1:9200").split("\n")[3];
    expect(status({ limit: 10, max: 10, active: 2, waiting: 0, wait_until: null })).toBe(
      "turns    2 running, 0 waiting (up to 10 at once)",
    );
    expect(status({ limit: 2, max: 10, active: 2, waiting: 3, wait_until: "2026-12-04T10:00:30.000Z" })).toBe(
      "turns    2 running, 3 waiting (2 of 10 at once: the API rate-limited; new turns wait until 10:00:30 UTC)",
    );
  });
});
