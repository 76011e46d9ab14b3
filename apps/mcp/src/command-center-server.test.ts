import { createDaemonClient } from "@cca/core";
import { describe, expect, it } from "vitest";
import {
  COMMAND_CENTER_TOOLS,
  closedPort,
  commandCenterSessions,
  textOf,
} from "../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("createCommandCenterServer", () => {
  it("lists the cca tools with their input schemas", async () => {
    const client = await open(new InMemoryDaemonClient());
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(COMMAND_CENTER_TOOLS);
    const task = tools.find((tool) => tool.name === "cca_task")!;
    expect(task.description).toMatch(/^Hand a software development task/);
    expect(task.inputSchema.required).toEqual(["description"]);
    expect(task.inputSchema.properties).toMatchObject({
      description: { type: "string", minLength: 1 },
      priority: { enum: ["low", "normal", "high", "critical"] },
      wait: { type: "boolean", default: true },
    });
    const status = tools.find((tool) => tool.name === "cca_status")!;
    expect(status.inputSchema.required ?? []).toEqual([]);
    expect(status.inputSchema.properties).toMatchObject({ task_id: { type: "string" } });
    expect(status.annotations?.readOnlyHint).toBe(true);
    expect(task.inputSchema.properties?.budget).toMatchObject({
      type: "object",
      properties: { tokens: { type: "integer" }, usd: { type: "number" } },
      additionalProperties: false,
    });
    const resume = tools.find((tool) => tool.name === "cca_resume")!;
    expect(resume.inputSchema.required).toEqual(["task_id"]);
    expect(resume.inputSchema.properties).toMatchObject({
      task_id: { type: "string" },
      budget: { type: "object" },
      wait: { type: "boolean", default: true },
    });
    const cancel = tools.find((tool) => tool.name === "cca_cancel")!;
    expect(cancel.inputSchema.required).toEqual(["task_id"]);
    expect(cancel.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
  });

  it.each([
    ["cca_task", { description: "Add a health check" }],
    ["cca_status", {}],
    ["cca_status", { task_id: "task_1" }],
    ["cca_cancel", { task_id: "task_1" }],
    ["cca_resume", { task_id: "task_1" }],
    ["cca_activity", {}],
    ["cca_agents", {}],
  ])("%s answers with an error that says how to start the daemon when it is down", async (name, args) => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const client = await open(createDaemonClient({ baseUrl }));
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("[daemon_unreachable]");
    expect(textOf(result)).toContain(baseUrl);
    expect(textOf(result)).toContain("cca daemon start");
  });
});
