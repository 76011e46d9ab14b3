import type { ProjectSummary } from "@cca/core";
import { describe, expect, it } from "vitest";
import { renderProjectTable } from "./render-projects.ts";

const now = new Date("2025-01-01T12:00:00.000Z");

const project: ProjectSummary = {
  root: "/home/ada/shop",
  name: "shop",
  tasks: { total: 5, completed: 3, running: 1, queued: 1 },
  agents: 2,
  usage: {
    input_tokens: 12_000,
    output_tokens: 300,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost_usd: 0.42,
  },
  last_task_at: "2025-01-01T11:55:00.000Z",
};

describe("cca project list", () => {
  it("shows each project's tasks, open ones, agents, the team's tokens and cost, and its folder", () => {
    const lines = renderProjectTable([project], { now, width: 120 }).split("\n");
    expect(lines[0]).toMatch(/^PROJECT\s+TASKS\s+OPEN\s+AGENTS\s+TOKENS\s+COST\s+LAST\s+ROOT$/);
    expect(lines[1]).toMatch(/^shop\s+5\s+2\s+2\s+12\.3k\s+\$0\.4200\s+5m\s+\/home\/ada\/shop$/);
  });

  it("says how projects appear when there is none", () => {
    expect(renderProjectTable([], { now, width: 80 })).toMatch(/No projects yet/);
  });
});
