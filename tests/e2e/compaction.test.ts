import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const coordinator = (r: RecordedRequest) => r.systemText.includes("You are the Coordinator of a CCA team.");
/** Claude Code's own summary request, the one `/compact` makes. */
const isSummaryRequest = (r: RecordedRequest) => r.lastUserText.includes("CRITICAL: Respond with TEXT ONLY");
const FACT = "Remember for later: the deploy key is BLUEBIRD-42.";
const OTHER = "Also note: the region is eu-west-3.";

describe("compaction of a long-lived agent with real Claude Code", () => {
  const t = useMockAndCcad({ env: { CCA__TOKEN_EFFICIENCY__COMPACT_ABOVE_TOKENS: "2000" } });

  it("compacts the Coordinator's conversation before its next task, keeping the fact that task needs", async () => {
    // The summary keeps what the conversation said of the key, as a model told to keep facts would.
    t.mock.on({
      when: isSummaryRequest,
      reply: (r) =>
        replyText(
          `SUMMARY: ${r.allUserText.join(" ").match(/the deploy key is [A-Z0-9-]+/)?.[0] ?? "nothing"}.`,
          {
            input_tokens: 7_777,
            output_tokens: 33,
          },
        ),
    });
    // The conversation grows by 4,000 tokens: past the threshold of 2,000.
    t.mock.on({
      when: (r) => coordinator(r) && r.lastUserText.includes(FACT),
      reply: replyText("Noted.", { input_tokens: 5_000, output_tokens: 5 }),
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.lastUserText.includes(OTHER),
      reply: replyText("Noted.", { input_tokens: 9_000, output_tokens: 5 }),
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.lastUserText.includes("What is the deploy key?"),
      reply: (r) =>
        replyText(
          `${r.allUserText.join(" ").match(/BLUEBIRD-42/) ? "BLUEBIRD-42" : "unknown"} (${r.body.messages.length} messages)`,
          { input_tokens: 300, output_tokens: 5 },
        ),
    });

    // Two exchanges: enough for /compact.
    for (const description of [FACT, OTHER]) {
      const { task } = await t.ccad.client.createTaskAndWait({ description, timeout_s: 60 });
      expect(task.status, JSON.stringify(task.error)).toBe("completed");
    }
    const second = await t.ccad.client.createTaskAndWait({
      description: "What is the deploy key?",
      timeout_s: 60,
    });
    expect(second.task.status, JSON.stringify(second.task.error)).toBe("completed");

    // Compacted first: the summary request carried CCA's instructions of what to keep.
    const summary = t.mock.requests.find(isSummaryRequest);
    expect(summary?.allUserText.join("\n")).toContain("Keep what later tasks may build on");
    const asked = t.mock.requests.find(
      (r) => coordinator(r) && r.lastUserText.includes("What is the deploy key?"),
    );
    // The second task's request holds the summary, not the first task's conversation.
    expect(asked?.allUserText.join("\n")).toContain("SUMMARY: the deploy key is BLUEBIRD-42.");
    expect(asked?.allUserText.join("\n")).not.toContain(FACT);
    expect(second.task.result).toMatch(/^BLUEBIRD-42 \(\d+ messages\)$/);

    // The compaction's tokens, as the mock reported them, count for the second task.
    const report = await t.ccad.client.tokenReport({ task_id: second.task.id });
    expect(report.total).toMatchObject({ turns: 2, input_tokens: 7_777 + 300, output_tokens: 33 + 5 });
    expect(second.task.usage).toMatchObject({ input_tokens: 7_777 + 300, output_tokens: 33 + 5 });
    const events = (await t.ccad.client.activity()).recent.filter(
      (event) => event.kind === "agent.compacted",
    );
    expect(events.map((event) => event.summary)).toEqual([
      expect.stringMatching(
        /^coordinator: conversation compacted before its next task, context [\d,]+ → [\d,]+ tokens \(7,810 tokens to compact\)$/,
      ),
    ]);
  });
});
