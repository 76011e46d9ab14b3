import { describe, expect, it } from "vitest";
import { CONFLICT_LIMITS, conflictHunks } from "./merge-conflicts.js";

function conflict(ours: string[], theirs: string[]): string[] {
  return ["<<<<<<< HEAD", ...ours, "=======", ...theirs, ">>>>>>> cca-parts/t/p"];
}

describe("conflictHunks", () => {
  it("takes each hunk from <<<<<<< to >>>>>>> with three lines of context", () => {
    const text = ["a", "b", "c", "d", ...conflict(["ours"], ["theirs"]), "e", "f", "g", "h"].join("\n");
    expect(conflictHunks(text)).toEqual({
      hunks: [["b", "c", "d", ...conflict(["ours"], ["theirs"]), "e", "f", "g"].join("\n")],
      truncated: false,
    });
  });

  it("keeps the head and tail of a long hunk and says how much it trimmed", () => {
    const ours = Array.from({ length: 200 }, (_, index) => `line ${index}`);
    const { hunks, truncated } = conflictHunks(conflict(ours, ["theirs"]).join("\n"));
    const lines = hunks[0]!.split("\n");
    expect(truncated).toBe(true);
    expect(lines).toHaveLength(CONFLICT_LIMITS.hunkLines + 1);
    expect(lines[0]).toBe("<<<<<<< HEAD");
    expect(lines).toContain("[… 124 lines trimmed …]");
    expect(lines.at(-1)).toBe(">>>>>>> cca-parts/t/p");
  });

  it("keeps at most hunksPerFile hunks and says there were more", () => {
    const text = Array.from({ length: 15 }, (_, index) => [
      ...conflict([`o${index}`], [`t${index}`]),
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ])
      .flat()
      .join("\n");
    const { hunks, truncated } = conflictHunks(text);
    expect(hunks).toHaveLength(CONFLICT_LIMITS.hunksPerFile);
    expect(truncated).toBe(true);
  });

  it("finds nothing in text without markers", () => {
    expect(conflictHunks("plain\ntext\n")).toEqual({ hunks: [], truncated: false });
  });
});
