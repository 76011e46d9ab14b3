import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const coordinator = (r: RecordedRequest) => r.systemText.includes("You are the Coordinator of a CCA team.");

describe("cache-friendly prompts with real Claude Code", () => {
  // The mock plays the API's prompt cache: only a prefix that stays the same is read back.
  const t = useMockAndCcad();

  it("keeps the Coordinator's prefix stable from task to task, so the next task reads it from the cache", async () => {
    t.mock.on({ when: coordinator, reply: replyText("done") });
    const first = await t.ccad.client.createTaskAndWait({
      description: "Rename the config key",
      timeout_s: 60,
    });
    const second = await t.ccad.client.createTaskAndWait({
      description: "Add a changelog entry",
      timeout_s: 60,
    });
    expect([first.task.status, second.task.status]).toEqual(["completed", "completed"]);

    // Tools, then CCA's role instructions in the system prompt, in the same order both times.
    const [one, two] = t.mock.requests.filter(coordinator);
    expect(two!.toolNames).toEqual(one!.toolNames);
    expect(two!.systemText).toBe(one!.systemText);

    const firstReport = await t.ccad.client.tokenReport({ task_id: first.task.id });
    const secondReport = await t.ccad.client.tokenReport({ task_id: second.task.id });
    expect(firstReport.total.cache_read_share).toBe(0);
    // All but the new task's own message comes from the cache.
    expect(secondReport.total.cache_read_share).toBeGreaterThan(0.9);
  });
});
