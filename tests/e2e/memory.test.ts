import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const HINTS = "Hints from CCA's memory of earlier tasks";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const startsWith = (text: string) => (r: RecordedRequest) => r.lastUserText.startsWith(text);

describe("the ReasoningBank with real Claude Code", () => {
  const t = useMockAndCcad();

  it("gives a stored strategy to the Coordinator of a similar task, and not to an unrelated one", async () => {
    const strategy = await t.ccad.client.addMemory({
      title: "Run the database migrations before the test suite",
      content: "On a fresh database the tests fail until `pnpm migrate` has run.",
    });
    t.mock.on({ when: coordinator, reply: replyText("done") });

    const similar = "The test suite fails on a fresh database; fix the migrations step";
    const { task } = await t.ccad.client.createTaskAndWait({ description: similar });
    expect(task.status).toBe("completed");
    const request = await t.mock.waitForRequest((r) => coordinator(r) && startsWith(similar)(r));
    expect(request.lastUserText).toContain(HINTS);
    expect(request.lastUserText).toContain(
      "Worked before: Run the database migrations before the test suite. On a fresh database the tests fail until `pnpm migrate` has run.",
    );
    const used = await t.ccad.client.getMemory(strategy.id);
    expect(used.uses).toBe(1);

    const unrelated = "Write the release announcement for the purple logo redesign";
    await t.ccad.client.createTaskAndWait({ description: unrelated });
    const plain = await t.mock.waitForRequest((r) => coordinator(r) && startsWith(unrelated)(r));
    expect(plain.lastUserText).toBe(unrelated);
    expect((await t.ccad.client.getMemory(strategy.id)).uses).toBe(1);
  });

  it("gives a specialist the items that fit its part", async () => {
    await t.ccad.client.addMemory({
      title: "Validate signup emails on the server",
      content: "The signup endpoint must reject malformed emails with 422.",
      kind: "guardrail",
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [{ name: DELEGATE, input: { role: "backend", task: "Build the POST /signup endpoint" } }],
      },
    });
    t.mock.on({ when: (r) => coordinator(r) && r.toolResults.length > 0, reply: replyText("combined") });
    t.mock.on({ when: backend, reply: replyText("endpoint built") });

    const { task } = await t.ccad.client.createTaskAndWait({ description: "Ship the new onboarding flow" });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    const part = await t.mock.waitForRequest(backend);
    expect(part.lastUserText).toMatch(/^Build the POST \/signup endpoint/);
    expect(part.lastUserText).toContain(
      "Avoid: Validate signup emails on the server. The signup endpoint must reject malformed emails with 422.",
    );
  });

  it("turns failure feedback into a guardrail that a similar later task sees, and counts it", async () => {
    t.mock.on({ when: coordinator, reply: replyText("done") });
    const first = "Add a created_at column to the orders table";
    const { task } = await t.ccad.client.createTaskAndWait({ description: first });
    const result = await t.ccad.client.taskFeedback(task.id, {
      success: false,
      note: "The orders table change shipped without its migration; write the migration with every column change",
    });
    expect(result.stored).toMatchObject({ kind: "guardrail", source_task_ids: [task.id] });

    const later = "Add a shipped_at column to the orders table";
    const { task: second } = await t.ccad.client.createTaskAndWait({ description: later });
    const request = await t.mock.waitForRequest((r) => coordinator(r) && startsWith(later)(r));
    expect(request.lastUserText).toContain(
      "Avoid: The orders table change shipped without its migration; write the migration with every column change.",
    );
    // The second task completed with the guardrail: one use, one success; then it is judged a failure too.
    expect(await t.ccad.client.getMemory(result.stored!.id)).toMatchObject({
      uses: 1,
      successes: 1,
      failures: 0,
    });
    await t.ccad.client.taskFeedback(second.id, { success: false });
    expect(await t.ccad.client.getMemory(result.stored!.id)).toMatchObject({
      uses: 1,
      successes: 0,
      failures: 1,
    });
  });
});
