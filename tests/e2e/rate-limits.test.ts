import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const qa = isRole("QA specialist");
const RATE_LIMITED = {
  error: { status: 429, type: "rate_limit_error", message: "slow down", retryAfterS: 1 },
};

describe("rate limits with real Claude Code", () => {
  // Claude Code retries once (CLAUDE_CODE_MAX_RETRIES=1 on the mock), then CCA twice more after 1 s.
  const t = useMockAndCcad({
    env: { CCA__RATE_LIMITS__RETRY_WAIT_S: "1", CCA__RATE_LIMITS__TURN_RETRIES: "2" },
  });

  function coordinatorDelegatesBoth(): void {
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [
          { name: DELEGATE, input: { role: "backend", task: "Build POST /signup" } },
          { name: DELEGATE, input: { role: "qa", task: "Test POST /signup" } },
        ],
      },
    });
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length > 0,
      reply: (r) =>
        replyText(
          `COMBINED: ${r.toolResults.map((result) => `${result.is_error ? "ERROR " : ""}${result.content.split("\n")[0]}`).join(" | ")}`,
        ),
    });
    t.mock.on({ when: qa, reply: replyText("TESTS WRITTEN") });
  }

  it("lower the turns at once at a 429, wait its retry-after, and the task completes", async () => {
    coordinatorDelegatesBoth();
    // Claude Code's first try and its one retry are refused; CCA's retry of the turn goes through.
    t.mock.on({ when: backend, reply: RATE_LIMITED, times: 2 });
    t.mock.on({ when: backend, reply: replyText("ENDPOINT BUILT") });

    const { task } = await t.ccad.client.createTaskAndWait({ description: "Ship signup", timeout_s: 120 });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    // Claude Code orders the two results as they came back.
    expect(
      task.result
        ?.replace(/^COMBINED: /, "")
        .split(" | ")
        .sort(),
    ).toEqual(["ENDPOINT BUILT", "TESTS WRITTEN"]);
    expect(t.mock.requests.filter(backend)).toHaveLength(3);

    const status = await t.ccad.client.status();
    expect(status.turns!.limit).toBeLessThan(status.turns!.max);
    const kinds = (await t.ccad.client.activity()).recent.map((event) => `${event.kind}: ${event.summary}`);
    expect(kinds).toContainEqual(
      expect.stringMatching(
        /^rate_limit\.lowered: backend: the API answered HTTP 429 \(rate limited\); turns at once \d+ → \d+, new turns wait 1 s$/,
      ),
    );
    expect(kinds).toContainEqual(
      expect.stringMatching(
        /^task\.retried: the API answered HTTP 429 \(rate limited\) once Claude Code's retries were spent; trying the turn again in 1 s \(1 of 2\)$/,
      ),
    );
  });

  it("fail a part that stays rate limited alone, keeping its sibling's result", async () => {
    coordinatorDelegatesBoth();
    t.mock.on({ when: backend, reply: RATE_LIMITED });

    const { task } = await t.ccad.client.createTaskAndWait({ description: "Ship signup", timeout_s: 120 });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    expect(task.result).toContain("ERROR The backend part failed [rate_limited]");
    expect(task.result).toContain("TESTS WRITTEN");
    const tree = await t.ccad.client.getTaskTree(task.id);
    const parts = Object.fromEntries(tree.subtasks.map((part) => [part.description, part]));
    expect(parts["Test POST /signup"]).toMatchObject({ status: "completed", result: "TESTS WRITTEN" });
    expect(parts["Build POST /signup"]).toMatchObject({ status: "failed", error: { code: "rate_limited" } });
    expect(parts["Build POST /signup"]!.error!.message).toContain(
      "The Anthropic API answered HTTP 429 (rate limited) to every try",
    );
    // Claude Code's try and retry, for CCA's first try and each of its two retries.
    expect(t.mock.requests.filter(backend)).toHaveLength(6);
  });
});
