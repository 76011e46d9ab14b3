import { describe, expect, it } from "vitest";
import { isPtyError } from "./errors.js";
import { ScrollbackBuffer } from "./scrollback-buffer.js";

describe("ScrollbackBuffer", () => {
  it("keeps everything while under its bound", () => {
    const scrollback = new ScrollbackBuffer(100);
    scrollback.append("abc");
    scrollback.append("def");
    expect(scrollback.read()).toBe("abcdef");
    expect(scrollback.byteLength).toBe(6);
    expect(scrollback.droppedBytes).toBe(0);
  });

  it("keeps exactly the newest maxBytes, dropping and cutting the oldest chunks", () => {
    const scrollback = new ScrollbackBuffer(10);
    for (const chunk of ["abcdef", "ghijkl", "mn"]) scrollback.append(chunk);
    expect(scrollback.read()).toBe("efghijklmn");
    expect(scrollback.byteLength).toBe(10);
    expect(scrollback.droppedBytes).toBe(4);
  });

  it("keeps the tail of one chunk larger than the bound", () => {
    const scrollback = new ScrollbackBuffer(4);
    scrollback.append("0123456789");
    expect(scrollback.read()).toBe("6789");
  });

  it("never cuts a character in two, counting UTF-8 bytes", () => {
    const scrollback = new ScrollbackBuffer(5);
    scrollback.append("ééé");
    expect(scrollback.read()).toBe("éé");
    expect(scrollback.byteLength).toBe(4);
  });

  it("stays bounded over many appends", () => {
    const scrollback = new ScrollbackBuffer(1000);
    for (let index = 0; index < 10_000; index++) scrollback.append(`${index},`);
    expect(scrollback.byteLength).toBeLessThanOrEqual(1000);
    expect(scrollback.read().endsWith("9998,9999,")).toBe(true);
    expect(Buffer.byteLength(scrollback.read())).toBe(scrollback.byteLength);
  });

  it("rejects a bound that is not a positive integer", () => {
    expect(() => new ScrollbackBuffer(0)).toThrowError(/maxBytes must be a positive integer, got 0/);
    const error = captureError(() => new ScrollbackBuffer(1.5));
    expect(isPtyError(error, "invalid_argument"), String(error)).toBe(true);
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
