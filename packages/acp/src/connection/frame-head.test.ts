import { describe, expect, it } from "vitest";
import { frameExceeds, readFrameHead, utf8ByteLength } from "./frame-head.js";

describe("utf8ByteLength", () => {
  it("counts 1, 2, 3 and 4 byte characters like TextEncoder", () => {
    for (const text of ["abc", "é", "€uro", "😀 ok", "\ud800 lone surrogate"]) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it("decides most frames by length alone", () => {
    expect(frameExceeds("x".repeat(11), 10)).toBe(true);
    expect(frameExceeds("€".repeat(3), 9)).toBe(false);
    expect(frameExceeds("€".repeat(4), 11)).toBe(true);
  });
});

describe("readFrameHead", () => {
  const big = "x".repeat(5000);

  it("reads the id of a request this library wrote", () => {
    expect(readFrameHead(JSON.stringify({ jsonrpc: "2.0", id: 12, method: "m", params: { big } }))).toEqual({
      kind: "request",
      id: 12,
    });
    expect(readFrameHead(`{ "jsonrpc" : "2.0", "id" : "a\\"b", "method": "m", "params": "${big}"}`)).toEqual({
      kind: "request",
      id: 'a"b',
    });
  });

  it("knows a response and a notification", () => {
    expect(readFrameHead(JSON.stringify({ jsonrpc: "2.0", id: 3, result: { big } }))).toEqual({
      kind: "response",
      id: 3,
    });
    expect(readFrameHead(JSON.stringify({ jsonrpc: "2.0", method: "m", params: { big } }))).toEqual({
      kind: "notification",
    });
  });

  it("says unknown when the id could come later", () => {
    expect(readFrameHead(JSON.stringify({ params: { big }, id: 1, method: "m" }))).toEqual({
      kind: "unknown",
    });
    expect(readFrameHead(`[${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "m" })}]`)).toEqual({
      kind: "unknown",
    });
  });
});
