import { describe, expect, it } from "vitest";
import { countRows, createFrameWriter } from "./frame-writer.ts";

function recorder(isTerminal: boolean, columns = 80) {
  const writes: string[] = [];
  const writer = createFrameWriter({
    write: (text) => writes.push(text),
    columns: () => columns,
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

  it("counts the rows a frame takes, wrapped lines included", () => {
    expect(countRows("abc\n\nabcdefghij", 4)).toBe(5);
    expect(countRows("abcd", 4)).toBe(1);
  });
});
