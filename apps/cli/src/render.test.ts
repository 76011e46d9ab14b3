import { emptyUsage } from "@cca/core";
import { describe, expect, it } from "vitest";
import { makeTask } from "../test/fixtures/fake-daemon-api.ts";
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
});
