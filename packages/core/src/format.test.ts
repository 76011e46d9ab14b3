import { describe, expect, it } from "vitest";
import { emptyUsage } from "./domain/schemas.js";
import {
  formatAge,
  formatBytes,
  formatCompactCount,
  formatCost,
  formatDuration,
  formatGroupedCount,
  totalTokens,
} from "./format.js";

describe("formatCost", () => {
  it("keeps four decimals below a dollar and two from a dollar up", () => {
    expect([formatCost(0), formatCost(0.012345), formatCost(1), formatCost(12.345)]).toEqual([
      "$0.0000",
      "$0.0123",
      "$1.00",
      "$12.35",
    ]);
  });
});

describe("formatDuration", () => {
  it.each([
    [-5, "0ms"],
    [850, "850ms"],
    [4200, "4.2s"],
    [42_100, "42.1s"],
    [60_000, "1m00s"],
    [184_000, "3m04s"],
    [185_000, "3m05s"],
    [3_600_000, "1h00m"],
    [7_500_000, "2h05m"],
  ])("renders %d ms as %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatAge", () => {
  const now = Date.parse("2025-01-01T12:00:00.000Z");

  it.each([
    ["2025-01-01T11:59:48.000Z", "12s"],
    ["2025-01-01T11:59:00.500Z", "59s"],
    ["2025-01-01T11:55:00.000Z", "5m"],
    ["2025-01-01T09:00:00.000Z", "3h"],
    ["2024-12-30T13:00:00.000Z", "47h"],
    ["2024-12-28T12:00:00.000Z", "4d"],
  ])("renders %s as %s", (iso, expected) => {
    expect(formatAge(iso, now)).toBe(expected);
  });

  it("counts a timestamp in the future as 0s", () => {
    expect(formatAge("2025-01-01T12:00:05.000Z", now)).toBe("0s");
  });

  it("shows - for no timestamp and ? for one that does not parse", () => {
    expect([formatAge(null, now), formatAge("", now), formatAge("yesterday-ish", now)]).toEqual([
      "-",
      "-",
      "?",
    ]);
  });
});

describe("formatBytes", () => {
  it("shows memory in binary units, compactly, and - when unknown", () => {
    expect([null, undefined, 900, 2048, 300 * 2 ** 20, 1.25 * 2 ** 30].map(formatBytes)).toEqual([
      "-",
      "-",
      "900B",
      "2K",
      "300M",
      "1.3G",
    ]);
  });
});

describe("formatCompactCount", () => {
  it("shortens thousands and millions to one decimal, without a trailing .0", () => {
    expect([0, 950, 2000, 12_345, 4_500_000].map(formatCompactCount)).toEqual([
      "0",
      "950",
      "2k",
      "12.3k",
      "4.5M",
    ]);
  });
});

describe("formatGroupedCount", () => {
  it("writes the count in full with comma thousands separators", () => {
    expect([0, 950, 1234, 1_234_567].map(formatGroupedCount)).toEqual(["0", "950", "1,234", "1,234,567"]);
  });
});

describe("totalTokens", () => {
  it("adds input, output, cache-write and cache-read tokens", () => {
    expect(
      totalTokens({
        ...emptyUsage(),
        input_tokens: 1,
        output_tokens: 20,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 4000,
        cost_usd: 9,
      }),
    ).toBe(4321);
  });
});
