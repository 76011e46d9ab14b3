import { CcaError } from "@cca/core";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_rl_status", () => {
  it("sums up each policy's training and its learned and heuristic decisions' outcomes", async () => {
    const daemon = new InMemoryDaemonClient();
    for (const [reward, tokens] of [
      [0.9, 9_000],
      [0.8, 10_000],
    ] as const) {
      daemon.addRoutingExperience({
        policy: "task",
        role: "backend",
        source: "learned",
        reward,
        success: true,
        tokens,
      });
    }
    daemon.addRoutingExperience({
      policy: "task",
      role: "coordinator",
      source: "heuristic",
      reward: 0.4,
      success: true,
      tokens: 48_000,
    });
    daemon.addRoutingExperience({
      policy: "task",
      role: "coordinator",
      source: "heuristic",
      reward: 0,
      success: false,
      tokens: 52_000,
    });
    daemon.addRoutingExperience({ policy: "task", role: "coordinator", source: "heuristic" });
    daemon.addRoutingExperience({ policy: "part", role: "qa", source: "explore" });
    await daemon.rlTrain();
    const client = await open(daemon);

    const result = await client.callTool({ name: "cca_rl_status", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        "Learned routing: on (gates: min_support 8, min_confidence 0.9, explore 0).",
        "- task: trained on 4; heuristic 3 (2 ended: 50% succeeded, ~50,000 tokens); learned 2 (2 ended: 100% succeeded, ~9,500 tokens)",
        "- part: trained on 0; explore 1 (none ended)",
      ].join("\n"),
    );
  });

  it("says when learning is off and how to turn it on, and in shadow mode that the heuristic routes", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.setLearningMode("off");
    const client = await open(daemon);
    expect(textOf(await client.callTool({ name: "cca_rl_status", arguments: {} }))).toBe(
      "Learned routing is off: the heuristic routes every task ([learning] enabled = true in cca.toml turns it on).",
    );
    daemon.setLearningMode("shadow");
    expect(textOf(await client.callTool({ name: "cca_rl_status", arguments: {} })).split("\n")).toEqual([
      "Learned routing: shadow (it learns; the heuristic routes).",
      "- task: trained on 0; no decisions yet",
      "- part: trained on 0; no decisions yet",
    ]);
  });

  it("takes no input, is read-only, and passes on a daemon failure as a tool error", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const tool = (await client.listTools()).tools.find((candidate) => candidate.name === "cca_rl_status")!;
    expect(tool.inputSchema.required ?? []).toEqual([]);
    expect(tool.annotations?.readOnlyHint).toBe(true);
    daemon.failWith(new CcaError("daemon_unreachable", "The CCA daemon is not reachable."), ["rlStatus"]);
    const result = await client.callTool({ name: "cca_rl_status", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      "Could not read the learned routing's status [daemon_unreachable]: The CCA daemon is not reachable.",
    );
  });
});
