import { describe, expect, it } from "vitest";
import { CREATE_BUDGET_FLAGS, RESUME_BUDGET_FLAGS, readBudgetFlags } from "./budget-flags.ts";

const resume = (argv: { tokens?: unknown; usd?: unknown }) => readBudgetFlags(argv, RESUME_BUDGET_FLAGS);

describe("readBudgetFlags", () => {
  it("reads tokens as typed: plain, grouped, or with k or M", () => {
    expect(resume({ tokens: "200000" })).toEqual({ budget: { tokens: 200_000 } });
    expect(resume({ tokens: "200_000" })).toEqual({ budget: { tokens: 200_000 } });
    expect(resume({ tokens: "200,000" })).toEqual({ budget: { tokens: 200_000 } });
    expect(resume({ tokens: "200k" })).toEqual({ budget: { tokens: 200_000 } });
    expect(resume({ tokens: "1.1K" })).toEqual({ budget: { tokens: 1_100 } });
    expect(resume({ tokens: "1.5M" })).toEqual({ budget: { tokens: 1_500_000 } });
  });

  it("reads dollars with or without the sign, and both flags together", () => {
    expect(resume({ usd: "2.50" })).toEqual({ budget: { usd: 2.5 } });
    expect(resume({ usd: "$5" })).toEqual({ budget: { usd: 5 } });
    expect(resume({ usd: ".5" })).toEqual({ budget: { usd: 0.5 } });
    expect(readBudgetFlags({ "budget-tokens": "40k", "budget-usd": "1" }, CREATE_BUDGET_FLAGS)).toEqual({
      budget: { tokens: 40_000, usd: 1 },
    });
  });

  it("gives no budget when neither flag was given", () => {
    expect(resume({})).toEqual({ budget: undefined });
  });

  it("refuses tokens that are not a whole number above 0, naming the flag, the value and the form", () => {
    for (const text of ["0", "-5", "1.5", "1.2345k", "lots", "2e5", ""]) {
      expect(resume({ tokens: text })).toEqual({
        problem: `--tokens must be a whole number of tokens above 0, like 200000, 200k or 1.5M; not "${text}".`,
      });
    }
  });

  it("refuses dollars that are not an amount above 0", () => {
    for (const text of ["0", "-1", "free", "2,50", "1e3"]) {
      expect(readBudgetFlags({ "budget-usd": text }, CREATE_BUDGET_FLAGS)).toEqual({
        problem: `--budget-usd must be an amount of US dollars above 0, like 2.50; not "${text}".`,
      });
    }
  });

  it("refuses a flag given twice", () => {
    expect(resume({ tokens: ["1k", "2k"] })).toEqual({
      problem: "--tokens was given 2 times; give it once.",
    });
  });
});
