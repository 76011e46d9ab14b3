import { describe, expect, it } from "vitest";
import { displayWidth, truncateToWidth } from "./text-width.ts";

describe("truncateToWidth", () => {
  it("measures terminal columns: wide characters take two, escape codes none", () => {
    expect(displayWidth("界a")).toBe(3);
    expect(displayWidth("\u001b[31mred\u001b[39m")).toBe(3);
  });

  it("cuts to the width with an ellipsis, keeping colour and resetting it when cut", () => {
    expect(truncateToWidth("界界界", 4)).toBe("界…");
    expect(truncateToWidth("\u001b[31mfailed badly\u001b[39m", 5)).toBe("\u001b[31mfail…\u001b[0m");
    expect(truncateToWidth("short", 5)).toBe("short");
  });
});
