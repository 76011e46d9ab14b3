import { describe, expect, it } from "vitest";
import { ErrorCodes } from "./error-codes.js";
import { classifyMessage, success } from "./messages.js";
import { isRpcError, RpcError } from "./rpc-error.js";

describe("classifyMessage", () => {
  it("tells requests, notifications and responses apart", () => {
    expect(classifyMessage({ jsonrpc: "2.0", id: 1, method: "m", params: [1] })).toEqual({
      kind: "request",
      id: 1,
      method: "m",
      params: [1],
    });
    expect(classifyMessage({ jsonrpc: "2.0", method: "m" })).toEqual({
      kind: "notification",
      method: "m",
      params: undefined,
    });
    expect(classifyMessage({ jsonrpc: "2.0", id: "a", result: null })).toMatchObject({
      kind: "response",
      id: "a",
      result: null,
    });
    expect(classifyMessage({ jsonrpc: "2.0", id: null, error: { code: -1, message: "m" } })).toMatchObject({
      kind: "response",
      id: null,
      error: { code: -1, message: "m" },
    });
  });

  it("accepts a request with id null, as the specification allows", () => {
    expect(classifyMessage({ jsonrpc: "2.0", id: null, method: "m" })).toMatchObject({
      kind: "request",
      id: null,
    });
  });

  it("answers a malformed response with id null, so it is never taken for an answer", () => {
    expect(classifyMessage({ jsonrpc: "2.0", id: 7, error: { code: "x", message: "m" } })).toMatchObject({
      kind: "invalid",
      reply: { id: null, error: { code: ErrorCodes.InvalidRequest } },
    });
  });
});

describe("RpcError", () => {
  it("serializes to code, message and data, never the stack or cause", () => {
    const error = new RpcError(ErrorCodes.Unauthorized, "no", {
      data: { role: "qa" },
      cause: new Error("inner"),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: -32001, message: "no", data: { role: "qa" } });
    expect(new RpcError(1, "bare").toJSON()).toEqual({ code: 1, message: "bare" });
    expect(isRpcError(error, ErrorCodes.Unauthorized)).toBe(true);
    expect(isRpcError(new Error("no"))).toBe(false);
  });

  it("puts null in a response whose handler returned nothing", () => {
    expect(success(1, undefined)).toEqual({ jsonrpc: "2.0", id: 1, result: null });
  });
});
