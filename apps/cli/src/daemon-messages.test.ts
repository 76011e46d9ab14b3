import { describe, expect, it } from "vitest";
import { inTermsOfCli } from "./daemon-messages.ts";

describe("inTermsOfCli", () => {
  it("turns the routes a daemon message names into the cca command to run", () => {
    expect(inTermsOfCli('No agent with id "a"; list agents with GET /api/v1/agents')).toBe(
      'No agent with id "a"; list agents with `cca agent list`',
    );
    expect(inTermsOfCli('No task with id "t"; list tasks with GET /api/v1/tasks')).toBe(
      'No task with id "t"; list tasks with `cca task list`',
    );
    expect(
      inTermsOfCli(
        'No approval rule with id "r"; list them with GET /api/v1/approvals/rules (cca approvals rules)',
      ),
    ).toBe('No approval rule with id "r"; list them with `cca approvals rules`');
  });

  it("keeps only the cca command where a message names it with its route and MCP tool", () => {
    expect(
      inTermsOfCli(
        "Resume it with a bigger budget: cca task resume task_1 (POST /api/v1/tasks/task_1/resume, or cca_resume).",
      ),
    ).toBe("Resume it with a bigger budget: `cca task resume task_1`.");
  });

  it("leaves messages without a route, or with one it has no command for, as they are", () => {
    expect(inTermsOfCli("Task t has no branch")).toBe("Task t has no branch");
    expect(inTermsOfCli("see POST /api/v1/tasks/t/cancel")).toBe("see POST /api/v1/tasks/t/cancel");
  });
});
