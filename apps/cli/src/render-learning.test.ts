import type { RlStatus, RoutePreview } from "@cca/core";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { renderRlStatus, renderRlTrainResult, renderRoutePreview } from "./render-learning.ts";

const options = { now: new Date("2026-12-04T10:30:00.000Z"), width: 80 };
const GATES = { min_support: 8, min_confidence: 0.9, explore: 0.05 };

const OFF: RlStatus = { mode: "off", algorithm: "linear-bandit", gates: GATES, policies: [] };

const ON: RlStatus = {
  mode: "on",
  algorithm: "linear-bandit",
  gates: GATES,
  policies: [
    {
      policy: "task",
      arms: [
        { role: "coordinator", tier: "standard" },
        { role: "backend", tier: "standard" },
      ],
      trained_on: 1_234,
      checkpoint_at: "2026-12-04T10:25:00.000Z",
      by_source: [
        {
          source: "heuristic",
          decisions: 900,
          settled: 880,
          success_rate: 0.812,
          mean_tokens: 48_210.4,
          mean_reward: 0.3149,
        },
        {
          source: "learned",
          decisions: 340,
          settled: 330,
          success_rate: 0.9,
          mean_tokens: 9_400,
          mean_reward: 0.81,
        },
        {
          source: "explore",
          decisions: 2,
          settled: 0,
          success_rate: null,
          mean_tokens: null,
          mean_reward: null,
        },
      ],
    },
    { policy: "part", arms: [], trained_on: 0, checkpoint_at: null, by_source: [] },
  ],
};

const PREVIEW: RoutePreview = {
  policy: "task",
  role: "backend",
  tier: "standard",
  source: "learned",
  explanation:
    "routed to backend/standard q=0.82 (n=14) vs coordinator/standard q=0.41 (n=9), confidence 0.97",
  heuristic: { role: "coordinator", tier: "standard" },
  estimates: [
    { role: "qa", tier: "standard", q: -0.001, std: 0.99, support: 0.2 },
    { role: "coordinator", tier: "standard", q: 0.41, std: 0.2, support: 9.4 },
    { role: "backend", tier: "standard", q: 0.82, std: 0.1, support: 14 },
  ],
};

const widest = (text: string) => Math.max(...text.split("\n").map((line) => stringWidth(line)));

describe("renderRlStatus", () => {
  it("says when learning is off, and how to turn it on", () => {
    expect(renderRlStatus(OFF, options)).toBe(
      [
        "Learned routing is off: the heuristic routes every task, nothing is recorded.",
        "Turn it on: `[learning] enabled = true` in cca.toml, then restart the daemon.",
      ].join("\n"),
    );
  });

  it("shows the mode and gates, then each policy's training and outcomes by source, in 80 columns", () => {
    const text = renderRlStatus(ON, options);
    expect(text.split("\n")).toEqual([
      "Learned routing: on (the learned policy routes where its gates pass)",
      "algorithm: linear-bandit; gates: min_support 8, min_confidence 0.9, explore 0.05",
      "",
      "task policy (top-level tasks): trained on 1,234 experiences, saved 5m ago",
      "arms: coordinator/standard, backend/standard",
      "SOURCE     DECISIONS  SETTLED  SUCCESS  MEAN TOKENS  MEAN REWARD",
      "heuristic  900        880      81%      48.2k        0.31",
      "learned    340        330      90%      9.4k         0.81",
      "explore    2          0        -        -            -",
      "",
      "part policy (delegated parts): trained on 0 experiences, not saved yet",
      "arms: (none)",
      "No decisions yet.",
    ]);
    expect(widest(text)).toBeLessThanOrEqual(80);
  });

  it("says that shadow mode only learns", () => {
    expect(renderRlStatus({ ...ON, mode: "shadow" }, options).split("\n")[0]).toBe(
      "Learned routing: shadow (learning only: the heuristic routes every task)",
    );
  });
});

describe("renderRlTrainResult", () => {
  it("says how many experiences each policy was trained on, or that learning is off", () => {
    expect(
      renderRlTrainResult({
        policies: [
          { policy: "task", trained_on: 12 },
          { policy: "part", trained_on: 1 },
        ],
      }),
    ).toBe(
      [
        "Rebuilt the routing models from every settled experience:",
        "  task policy: trained on 12 experiences",
        "  part policy: trained on 1 experience",
      ].join("\n"),
    );
    expect(renderRlTrainResult({ policies: [] })).toContain("`[learning] enabled = true`");
  });
});

describe("renderRoutePreview", () => {
  it("gives the decision, its whole explanation wrapped, and the estimates best first", () => {
    const text = renderRoutePreview(PREVIEW, options);
    expect(text.split("\n")).toEqual([
      "task policy: backend/standard, by the learned policy (the heuristic's choice:",
      "coordinator/standard)",
      "routed to backend/standard q=0.82 (n=14) vs coordinator/standard q=0.41 (n=9),",
      "confidence 0.97",
      "",
      "ROLE         TIER      Q     ±STD   N   NOTE",
      "backend      standard  0.82  ±0.10  14  chosen",
      "coordinator  standard  0.41  ±0.20  9   heuristic's",
      "qa           standard  0.00  ±0.99  0",
    ]);
  });

  it("says a daemon whose learning is off has no estimates", () => {
    const text = renderRoutePreview(
      {
        ...PREVIEW,
        role: "coordinator",
        source: "heuristic",
        explanation: "routed to coordinator (heuristic); learning is off ([learning] enabled = false)",
        estimates: [],
      },
      options,
    );
    expect(text.split("\n")).toEqual([
      "task policy: coordinator/standard, by the heuristic",
      "routed to coordinator (heuristic); learning is off ([learning] enabled = false)",
      "",
      "No estimates: learned routing is off.",
      "Turn it on: `[learning] enabled = true` in cca.toml, then restart the daemon.",
    ]);
  });
});
