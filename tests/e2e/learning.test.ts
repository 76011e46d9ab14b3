import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const asks = (r: RecordedRequest, text: string) => !r.isSideRequest && r.lastUserText.includes(text);

describe("learned routing with real Claude Code", () => {
  const t = useMockAndCcad({
    env: {
      CCA__LEARNING__MIN_SUPPORT: "3",
      CCA__LEARNING__MIN_CONFIDENCE: "0.8",
      CCA__LEARNING__TOKEN_WEIGHT: "2",
    },
  });

  it("sends a task straight to backend once backend alone did such tasks for fewer tokens than the team", async () => {
    // Through the Coordinator, a task costs its turns plus a backend part; sent to backend, one agent's turn.
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: (r) => ({
        toolUses: [{ name: DELEGATE, input: { role: "backend", task: r.lastUserText.split("\n")[0] } }],
      }),
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length > 0,
      reply: replyText("the team added it"),
    });
    t.mock.on({ when: backend, reply: replyText("endpoint added") });
    const run = async (description: string, role?: string) => {
      const { task } = await t.ccad.client.createTaskAndWait({
        description,
        ...(role ? { role } : {}),
        timeout_s: 120,
      });
      expect(task.status, JSON.stringify(task.error)).toBe("completed");
      return task;
    };
    for (let i = 0; i < 4; i++) await run(`Add the api endpoint for orders ${i}`, "backend");
    // Three runs through the Coordinator: with min_support 3, the heuristic routes all three.
    for (let i = 10; i < 13; i++) await run(`Add the api endpoint for orders ${i}`);

    const { items } = await t.ccad.client.rlExperiences();
    const tasks = items.filter((item) => item.policy === "task");
    const cost = (role: string) => tasks.filter((item) => item.role === role).map((item) => item.tokens ?? 0);
    expect(Math.min(...cost("coordinator"))).toBeGreaterThan(Math.max(...cost("backend")));
    expect(tasks.map((item) => item.source)).toEqual([
      ...Array(4).fill("override"),
      ...Array(3).fill("heuristic"),
    ]);
    expect(items.filter((item) => item.policy === "part").map((item) => [item.role, item.source])).toEqual(
      Array.from({ length: 3 }, () => ["backend", "heuristic"]),
    );

    const preview = await t.ccad.client.rlPolicy({ description: "Add the api endpoint for orders 99" });
    expect(preview, preview.explanation).toMatchObject({ role: "backend", source: "learned" });
    const before = t.mock.requests.length;
    const task = await run("Add the api endpoint for orders 99");
    const requests = t.mock.requests.slice(before).filter((r) => asks(r, "orders 99"));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every(backend)).toBe(true);
    const decision = (await t.ccad.client.rlExperiences()).items.find((item) => item.task_id === task.id);
    expect(decision).toMatchObject({
      role: "backend",
      source: "learned",
      heuristic_role: "coordinator",
      success: true,
    });
    const activity = await t.ccad.client.activity();
    expect(
      activity.recent.find((event) => event.kind === "routing.decided" && event.task_id === task.id)?.summary,
    ).toMatch(/^routed to backend\/standard q=.* vs coordinator\/standard q=.*, confidence/);
  });
});
