import { describe, expect, it } from "vitest";
import { shortIds } from "./short-ids.ts";

describe("shortIds", () => {
  it("keeps the kind and 4 more characters (8 at least), more where ids share them", () => {
    const short = shortIds([
      "task_db824452b2874203bd4b",
      "task_db83a1c07e9f4d21aa10",
      "task_7c01e5d2f04b4a8c9e11",
      "coordinator_4edc80de352344a28ba0",
      "qa_1f2e3d4c5b6a79880706",
    ]);

    expect([...short.values()]).toEqual([
      "coordinator_4edc",
      "qa_1f2e3",
      "task_7c01",
      "task_db82",
      "task_db83",
    ]);
  });

  it("keeps ids already that short whole", () => {
    expect([...shortIds(["task_1", "agent_b"]).values()]).toEqual(["agent_b", "task_1"]);
  });
});
