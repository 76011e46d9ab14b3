import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const qa = isRole("QA specialist");
const RESUMED = "this task was paused because a token budget ran out";
const lastResult = (r: RecordedRequest) => r.toolResults.at(-1)?.content ?? "";

describe("budgets with real Claude Code", () => {
  const t = useMockAndCcad();

  it("pause a team task at its budget with the done part's result kept, and resume completes it", async () => {
    // The Coordinator delegates one part at a time; the second finds the budget spent.
    t.mock.on({
      name: "coordinator finishes the resumed task",
      when: (r) => coordinator(r) && r.lastUserText.includes(RESUMED),
      reply: (r) =>
        replyText(
          `DONE after resume: ${r.lastUserText.includes("TESTS WRITTEN") ? "tests seen" : "no tests"}`,
        ),
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: { toolUses: [{ name: DELEGATE, input: { role: "backend", task: "Build POST /signup" } }] },
    });
    t.mock.on({
      when: (r) => coordinator(r) && lastResult(r).includes("ENDPOINT BUILT"),
      reply: { toolUses: [{ name: DELEGATE, input: { role: "qa", task: "Test POST /signup" } }] },
    });
    t.mock.on({
      when: (r) => coordinator(r) && lastResult(r).includes("budget"),
      reply: replyText("PARTIAL: the endpoint is built; its tests did not run"),
    });
    t.mock.on({
      when: backend,
      reply: replyText("ENDPOINT BUILT", { input_tokens: 5_000, output_tokens: 50 }),
    });
    t.mock.on({ when: qa, reply: replyText("TESTS WRITTEN") });

    const { task: paused } = await t.ccad.client.createTaskAndWait({
      description: "Ship the signup endpoint with tests",
      budget: { tokens: 2_000 },
      timeout_s: 120,
    });
    expect(paused.status, JSON.stringify(paused.error)).toBe("paused");
    expect(paused.result).toBe("PARTIAL: the endpoint is built; its tests did not run");
    expect(paused.error?.code).toBe("budget_exhausted");
    expect(paused.error?.message).toContain("The task's budget of 2,000 tokens is spent");
    expect(paused.error?.message).toContain('Done: "Build POST /signup".');
    expect(paused.error?.message).toContain('Not run yet: "Test POST /signup".');
    const before = await t.ccad.client.getTaskTree(paused.id);
    expect(before.subtasks.map((part) => [part.description, part.status, part.result])).toEqual([
      ["Build POST /signup", "completed", "ENDPOINT BUILT"],
      ["Test POST /signup", "paused", null],
    ]);
    // The Coordinator was told the part paused, and to wrap up.
    const told = t.mock.requests.find((r) => coordinator(r) && lastResult(r).includes("budget"));
    expect(told?.toolResults.at(-1)).toMatchObject({ is_error: true });
    expect(lastResult(told!)).toContain(
      "The qa part was paused [budget_exhausted]: The task's budget of 2,000",
    );
    expect(lastResult(told!)).toContain("Delegate nothing more now");
    // The qa agent was never asked.
    expect(t.mock.requests.filter(qa)).toHaveLength(0);

    const resumed = await t.ccad.client.resumeTask(paused.id, { budget: { tokens: 10_000_000 } });
    expect(resumed).toMatchObject({ status: "queued", budget: { tokens: 10_000_000 } });
    const done = await t.ccad.client.waitForTask(paused.id, 60);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    expect(done.result).toBe("DONE after resume: tests seen");
    const after = await t.ccad.client.getTaskTree(paused.id);
    expect(after.subtasks.map((part) => [part.status, part.result])).toEqual([
      ["completed", "ENDPOINT BUILT"],
      ["completed", "TESTS WRITTEN"],
    ]);
    // The backend part ran once: resuming redid nothing that was done.
    expect(t.mock.requests.filter(backend)).toHaveLength(1);
  });
});
