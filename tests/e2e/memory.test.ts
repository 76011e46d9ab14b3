import type { TokenUsage } from "@cca/core";
import { type MockAnthropic, type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { activityUntil } from "../support/activity.js";
import type { CcadProcess } from "../support/ccad-process.js";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const HINTS = "Hints from CCA's memory of earlier tasks";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const startsWith = (text: string) => (r: RecordedRequest) => r.lastUserText.startsWith(text);
const distiller = (r: RecordedRequest) => r.systemText.includes("You are the ReasoningBank distiller");
/** What the mock's distiller requests are charged, per request. */
const DISTILLER_USAGE = { input_tokens: 500, output_tokens: 60 };

/** The distiller answers through Claude Code's StructuredOutput tool, then ends its turn. */
function answerAsDistiller(mock: MockAnthropic, answer: Record<string, unknown>): void {
  mock.on({
    when: (r) => distiller(r) && r.toolResults.length === 0,
    reply: { toolUses: [{ name: "StructuredOutput", input: answer }], usage: DISTILLER_USAGE },
  });
  mock.on({ when: distiller, reply: { text: "done", usage: DISTILLER_USAGE } });
}

/** Waits for the distiller to have finished with the task; resolves with its activity line. */
async function distilled(ccad: CcadProcess, taskId: string): Promise<string> {
  const seen = await activityUntil(ccad, (e) => e.kind === "memory.distilled" && e.task_id === taskId);
  return seen.at(-1)!.summary;
}

const inputAndOutput = (usage: TokenUsage) => usage.input_tokens + usage.output_tokens;

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

describe("the ReasoningBank's distiller with real Claude Code", () => {
  const t = useMockAndCcad({ env: { CCA__MEMORY__DISTILL: "true" } });
  const LESSON = {
    title: "Seed the fixtures before running the checkout tests",
    description: "Checkout tests on a fresh database",
    content:
      "The checkout tests read the product fixtures; run `pnpm seed` first or they fail on an empty table.",
  };

  it("distils a strategy from a completed task on the cheap model, charges the task its tokens, and gives it to a similar later task", async () => {
    answerAsDistiller(t.mock, { items: [LESSON] });
    t.mock.on({
      when: coordinator,
      reply: replyText("Seeded the fixtures, then the checkout tests passed."),
    });

    const first = "Make the checkout tests pass on a fresh database";
    const { task } = await t.ccad.client.createTaskAndWait({ description: first });
    expect(task.status).toBe("completed");
    expect(await distilled(t.ccad, task.id)).toMatch(/^distilled 1 strategy; \d+ tokens$/);

    const request = await t.mock.waitForRequest(distiller);
    expect(request.body.model).toMatch(/haiku/);
    expect(request.toolNames).toEqual(["StructuredOutput"]);
    expect(request.lastUserText).toContain(`Task (completed):\n${first}`);
    expect(request.lastUserText).toContain("Result:\nSeeded the fixtures, then the checkout tests passed.");

    const [hit] = (await t.ccad.client.searchMemory("checkout tests fixtures")).hits;
    expect(hit?.item).toMatchObject({ ...LESSON, kind: "strategy", source_task_ids: [task.id] });
    // The distiller's tokens count in the task's own usage, like any other turn's.
    const distillerRequests = t.mock.requests.filter(distiller).length;
    const charged = await t.ccad.client.getTask(task.id);
    expect(inputAndOutput(charged.usage) - inputAndOutput(task.usage)).toBe(
      distillerRequests * inputAndOutput({ ...task.usage, ...DISTILLER_USAGE }),
    );

    const later = "The checkout tests fail on a fresh database again";
    const { task: second } = await t.ccad.client.createTaskAndWait({ description: later });
    const hinted = await t.mock.waitForRequest((r) => coordinator(r) && startsWith(later)(r));
    expect(hinted.lastUserText).toContain(`Worked before: ${LESSON.title}. ${LESSON.content}`);

    // The same lesson from the later task merges into the item: one item, both provenances, counters kept.
    expect(await distilled(t.ccad, second.id)).toMatch(
      /^distilled 1 strategy \(1 merged into earlier items\); /,
    );
    const merged = await t.ccad.client.getMemory(hit!.item.id);
    expect(merged).toMatchObject({ source_task_ids: [task.id, second.id], uses: 1, successes: 1 });
    expect((await t.ccad.client.memoryStats()).items).toBe(1);
  });

  it("distils a guardrail from a failed task, naming what went wrong", async () => {
    answerAsDistiller(t.mock, {
      items: [{ ...LESSON, title: "Do not run the checkout tests before seeding" }],
    });
    t.mock.on({
      when: coordinator,
      reply: { error: { status: 400, type: "invalid_request_error", message: "bad seed" } },
    });

    const { task } = await t.ccad.client.createTaskAndWait({ description: "Make the checkout tests pass" });
    expect(task.status).toBe("failed");
    expect(await distilled(t.ccad, task.id)).toMatch(/^distilled 1 guardrail; /);
    const request = await t.mock.waitForRequest(distiller);
    expect(request.lastUserText).toContain("Task (failed):");
    expect(request.lastUserText).toContain("It failed: ");
    const [hit] = (await t.ccad.client.searchMemory("checkout tests seeding")).hits;
    expect(hit?.item).toMatchObject({
      kind: "guardrail",
      title: "Do not run the checkout tests before seeding",
    });
  });
});

describe("the ReasoningBank's LLM judge with real Claude Code", () => {
  const t = useMockAndCcad({ env: { CCA__MEMORY__DISTILL: "true", CCA__MEMORY__JUDGE: "llm" } });

  it("counts the judge's verdict on a completed task for the items it was given, and distils a guardrail from it", async () => {
    const hint = await t.ccad.client.addMemory({
      title: "Cache the product list for an hour",
      content: "The product list changes daily; an hour's cache cuts the database load.",
    });
    const verdict = { success: false, reason: "the cache never expires, so prices go stale" };
    answerAsDistiller(t.mock, {
      verdict,
      items: [
        {
          title: "Give every cache an expiry",
          description: "Caching data that changes",
          content:
            "A cache without expiry serves stale prices; set a TTL that fits how often the data changes.",
        },
      ],
    });
    t.mock.on({ when: coordinator, reply: replyText("Cached the product list.") });

    const { task } = await t.ccad.client.createTaskAndWait({
      description: "Cache the product list to cut database load",
    });
    expect(task.status).toBe("completed");
    expect(await distilled(t.ccad, task.id)).toContain(
      "distilled 1 guardrail; judged a failure: the cache never expires, so prices go stale",
    );
    const request = await t.mock.waitForRequest(distiller);
    expect(request.lastUserText).toContain("First judge whether the result really accomplishes the task");
    // The task completed, but the judge found it failed: the hint it was given counts a failure.
    expect(await t.ccad.client.getMemory(hint.id)).toMatchObject({ uses: 1, successes: 0, failures: 1 });
    // A person's feedback outweighs the judge.
    await t.ccad.client.taskFeedback(task.id, { success: true });
    expect(await t.ccad.client.getMemory(hint.id)).toMatchObject({ successes: 1, failures: 0 });
  });
});
