import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

describe("createLogger", () => {
  it("writes level, message and fields, and drops levels below the threshold", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) });
    logger.debug("hidden");
    logger.child({ agent: "a1" }).warn("slow start", { ms: 1200, note: "two words" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ WARN slow start agent=a1 ms=1200 note="two words"\n$/);
  });
});
