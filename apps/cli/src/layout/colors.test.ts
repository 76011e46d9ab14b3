import { describe, expect, it } from "vitest";
import { createColors, wantsColor } from "./colors.ts";

describe("wantsColor", () => {
  it("colours a terminal, not a pipe", () => {
    expect(wantsColor({}, { isTTY: true })).toBe(true);
    expect(wantsColor({}, { isTTY: false })).toBe(false);
    expect(wantsColor({ TERM: "dumb" }, { isTTY: true })).toBe(false);
  });

  it("never colours with NO_COLOR set, and FORCE_COLOR decides otherwise", () => {
    expect(wantsColor({ NO_COLOR: "1" }, { isTTY: true })).toBe(false);
    expect(wantsColor({ NO_COLOR: "1", FORCE_COLOR: "1" }, { isTTY: false })).toBe(false);
    expect(wantsColor({ FORCE_COLOR: "1" }, { isTTY: false })).toBe(true);
    expect(wantsColor({ FORCE_COLOR: "0" }, { isTTY: true })).toBe(false);
  });
});

describe("createColors", () => {
  it("paints states by what they mean, and nothing when off", () => {
    const on = createColors(true);
    expect(on.state("failed")).toBe("\u001b[1m\u001b[31mfailed\u001b[39m\u001b[22m");
    expect(on.state("running")).toBe("\u001b[36mrunning\u001b[39m");
    expect(on.state("waiting_input", "needs you")).toBe("\u001b[1m\u001b[35mneeds you\u001b[39m\u001b[22m");
    expect(on.state("paused")).toBe("\u001b[1m\u001b[33mpaused\u001b[39m\u001b[22m");
    expect(createColors(false).state("failed")).toBe("failed");
  });
});
