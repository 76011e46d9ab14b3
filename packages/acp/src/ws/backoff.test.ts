import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };

  it("doubles from initialDelayMs and stops at maxDelayMs when the jitter draws the middle", () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, middle))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("spreads each delay over ±jitter", () => {
    expect(backoffDelay(2, options, () => 0)).toBe(100);
    expect(backoffDelay(2, options, () => 0.999_999)).toBe(300);
    expect(backoffDelay(2, { ...options, jitter: 0 }, () => 0)).toBe(200);
  });

  it("never exceeds maxDelayMs, jitter included", () => {
    expect(backoffDelay(10, options, () => 0.999_999)).toBe(1000);
  });
});
