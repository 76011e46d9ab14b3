import { emptyUsage } from "@cca/core";
import { describe, expect, it } from "vitest";
import { makeDaemonStatus, makeTask } from "../test/fixtures/fake-daemon-api.ts";
import { renderTeamStatus, type TeamStatus } from "./render-team.ts";

const now = new Date("2025-01-01T12:05:00.000Z");

const daemon: TeamStatus["daemon"] = makeDaemonStatus();

describe("renderTeamStatus", () => {
  it("shows the daemon line, then says so for an idle team", () => {
    const text = renderTeamStatus(
      { daemon, activity: { agents: [], recent: [] }, tasks: [] },
      "http://127.0.0.1:9200",
      { now, width: 100 },
    );

    expect(text).toBe(
      [
        "ccad 1.0.0 running at http://127.0.0.1:9200 (pid 7, up 1m05s)",
        "",
        "agents\nNo agents.",
        "",
        "tasks\nNo running, queued or paused tasks.",
        "",
        "recent activity\nNo activity yet.",
      ].join("\n"),
    );
  });

  it("names each open task by id and its subtasks by role, below it", () => {
    const root = makeTask({ id: "task_root", status: "running", description: "Add signup" });
    const sub = makeTask({ id: "task_sub", parent_id: "task_root", agent_id: "dba_1", status: "running" });
    const usage = { ...emptyUsage(), output_tokens: 1500, cost_usd: 0.5 };
    const text = renderTeamStatus(
      {
        daemon,
        activity: { agents: [], recent: [] },
        tasks: [
          {
            ...root,
            total_usage: usage,
            subtasks: [{ ...sub, usage, total_usage: usage, subtasks: [] }],
          },
        ],
      },
      "http://x",
      { now, width: 100 },
    );

    expect(text).toContain(
      [
        "tasks",
        "TASK       STATUS   TIME  TOKENS  COST     DESCRIPTION",
        "task_root  running  -     1.5k    $0.5000  Add signup",
        "└─ dba     running  -     1.5k    $0.5000  Do the thing",
      ].join("\n"),
    );
  });

  it("lists a paused task with the open ones, and says what to do about it", () => {
    const paused = makeTask({ id: "task_p", status: "paused", description: "Add signup" });
    const text = renderTeamStatus(
      {
        daemon,
        activity: { agents: [], recent: [] },
        tasks: [{ ...paused, total_usage: emptyUsage(), subtasks: [] }],
      },
      "http://x",
      { now, width: 100 },
    );

    expect(text).toContain(
      [
        "tasks",
        "TASK    STATUS  TIME  TOKENS  COST     DESCRIPTION",
        "task_p  paused  -     0       $0.0000  Add signup",
        "Paused tasks: `cca task status <id>` says why, `cca task resume <id>` goes on.",
        "",
        "recent activity",
      ].join("\n"),
    );
  });
});
