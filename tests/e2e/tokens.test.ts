import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");

describe("token accounting with real Claude Code", () => {
  const t = useMockAndCcad();

  it("records each turn's tokens as Claude Code reported them, cache writes by lifetime, by role and task", async () => {
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [{ name: DELEGATE, input: { role: "backend", task: "Build the POST /signup endpoint" } }],
        usage: {
          input_tokens: 100,
          output_tokens: 10,
          cache_creation_input_tokens: 400,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 100 },
        },
      },
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length > 0,
      reply: replyText("combined", { input_tokens: 20, output_tokens: 4, cache_read_input_tokens: 500 }),
    });
    t.mock.on({
      when: backend,
      reply: replyText("endpoint built", {
        input_tokens: 50,
        output_tokens: 5,
        cache_read_input_tokens: 800,
      }),
    });

    const { task } = await t.ccad.client.createTaskAndWait({ description: "Ship the signup flow" });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");

    const byRole = await t.ccad.client.tokenReport({ by: "role" });
    const row = (key: string) => byRole.rows.find((one) => one.key === key);
    expect(row("backend")).toMatchObject({
      turns: 1,
      input_tokens: 50,
      output_tokens: 5,
      cache_read_input_tokens: 800,
    });
    // The Coordinator's one turn made two requests; Claude Code adds them up.
    expect(row("coordinator")).toMatchObject({
      turns: 1,
      input_tokens: 120,
      output_tokens: 14,
      cache_creation_input_tokens: 400,
      cache_creation_5m_tokens: 300,
      cache_creation_1h_tokens: 100,
      cache_read_input_tokens: 500,
    });
    expect(row("coordinator")!.cost_usd).toBeGreaterThan(0);
    // The team's tokens are the task's: its total equals the sum of its tree's usage.
    const byTask = await t.ccad.client.tokenReport({ by: "task" });
    expect(byTask.rows.map((one) => [one.key, one.turns])).toEqual([[task.id, 2]]);
    const team = (await t.ccad.client.getTask(task.id)).team_usage!;
    expect(byTask.total.input_tokens).toBe(team.input_tokens);
    expect(byTask.total.cost_usd).toBeCloseTo(team.cost_usd, 6);
    expect(byTask.total.cache_read_share).toBeCloseTo(1_300 / (170 + 400 + 1_300), 6);
  });
});
