import { describe, expect, it } from "vitest";
import { clipFrame, createFrameWriter } from "./frame-writer.ts";

function recorder(isTerminal: boolean, columns = 80, rows?: number) {
  const writes: string[] = [];
  const writer = createFrameWriter({
    write: (text) => writes.push(text),
    columns: () => columns,
    rows: () => rows,
    isTerminal,
  });
  return { writer, writes };
}

describe("createFrameWriter", () => {
  it("on a terminal, redraws each frame over the previous one", () => {
    const { writer, writes } = recorder(true);

    writer.show("one\ntwo");
    writer.show("three");
    writer.show("three");

    expect(writes).toEqual(["one\ntwo\n", "\u001b[2A\r\u001b[Jthree\n", "\u001b[1A\r\u001b[Jthree\n"]);
  });

  it("elsewhere, prints a frame only when it changed, a blank line apart, without ANSI codes", () => {
    const { writer, writes } = recorder(false);

    expect(writer.show("one", "a")).toBe(true);
    expect(writer.show("one at a later time", "a")).toBe(false);
    expect(writer.show("two", "b")).toBe(true);

    expect(writes.join("")).toBe("one\n\ntwo\n");
  });

  it("on a terminal, clips a frame taller than the window to its height, saying how much is left out", () => {
    const { writer, writes } = recorder(true, 80, 4);
    const frame = ["a", "b", "c", "d", "e", "f"].join("\n");

    writer.show(frame);
    writer.show(frame);

    expect(writes).toEqual([
      "a\nb\n… 4 more lines (a taller window shows them)\n",
      `\u001b[3A\r\u001b[J${writes[0]}`,
    ]);
  });

  it("on a terminal, cuts lines to the width, so no line wraps and the redraw covers the frame", () => {
    const { writer, writes } = recorder(true, 10);

    writer.show("0123456789abc\n界界界界界界");
    writer.show("x");

    expect(writes).toEqual(["012345678…\n界界界界…\n", "\u001b[2A\r\u001b[Jx\n"]);
  });

  it("erases the last frame on clear, on a terminal only", () => {
    const terminal = recorder(true);
    terminal.writer.show("one\ntwo");
    terminal.writer.clear();
    const file = recorder(false);
    file.writer.show("one");
    file.writer.clear();

    expect(terminal.writes.at(-1)).toBe("\u001b[2A\r\u001b[J");
    expect(file.writes).toEqual(["one\n"]);
  });

  it("keeps a frame that fits the window whole", () => {
    expect(clipFrame("a\nb\nc", 80, 4)).toEqual(["a", "b", "c"]);
    expect(clipFrame("a\nb\nc", 80, undefined)).toEqual(["a", "b", "c"]);
  });
});
