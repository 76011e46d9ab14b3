import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ClaudeOutputLine, parseStreamLine } from "./stream-json.js";

/**
 * Lines written by the real Claude Code 2.1.197 (`-p --input-format stream-json
 * --output-format stream-json --verbose --allowedTools Read`) against the mock Messages
 * API, over five inputs: "hello"; "read it" (a Read tool use); "write it" (a denied
 * Write); "fail please" (the API answers 500); and an interrupt control request.
 */
const RECORDED = readFileSync(
  fileURLToPath(new URL("../../../test/fixtures/claude-stream-json.jsonl", import.meta.url)),
  "utf8",
)
  .split("\n")
  .filter(Boolean);

const recorded = (lineNumber: number): ClaudeOutputLine[] => parseStreamLine(RECORDED[lineNumber - 1]!);

describe("parseStreamLine on lines of the real Claude Code", () => {
  it("reads every recorded line as a known kind, none malformed", () => {
    const types = RECORDED.flatMap((line) => parseStreamLine(line).map((parsed) => parsed.type)).filter(
      (type) => type !== "request_context",
    );
    expect(types).toEqual([
      ...["system_init", "assistant_text", "result"],
      ...["system_init", "assistant_text", "tool_use", "tool_result", "assistant_text", "result"],
      ...["system_init", "tool_use", "tool_result", "assistant_text", "result"],
      ...["system_init", "api_retry", "assistant_text", "result"],
      "control_response",
    ]);
  });

  it("reads system/init: the session, model, tools and MCP servers", () => {
    const [init] = recorded(1);
    expect(init).toMatchObject({
      type: "system_init",
      sessionId: "1db22f8d-a5ca-47a1-8b9c-037fcf9da9b2",
      model: "claude-opus-4-8[1m]",
      mcpServers: [],
    });
    expect(init?.type === "system_init" && init.tools).toContain("Read");
  });

  it("reads a result: the turn's usage, the running cost, and no error", () => {
    expect(recorded(3)).toEqual([
      {
        type: "result",
        result: {
          subtype: "success",
          isError: false,
          text: "Hello from the mock",
          sessionId: "1db22f8d-a5ca-47a1-8b9c-037fcf9da9b2",
          numTurns: 1,
          durationMs: 73,
          usage: {
            input_tokens: 1234,
            output_tokens: 56,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            cost_usd: 0,
          },
          totalCostUsd: 0.00757,
          apiErrorStatus: null,
          permissionDenials: [],
          model: "claude-opus-4-8[1m]",
          cacheWrites: { fiveMinute: 0, oneHour: 0 },
          processTokens: {
            input_tokens: 1234,
            output_tokens: 56,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            cost_usd: 0,
          },
        },
      },
    ]);
  });

  it("reads each request's whole input from its assistant line: the context it sent", () => {
    expect(recorded(5)[0]).toEqual({ type: "request_context", tokens: 19_112 });
  });

  it("reads the cache writes by lifetime, and the model the turns ran on (the costliest)", () => {
    const line = JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: false,
      usage: {
        input_tokens: 10,
        output_tokens: 5,
        cache_creation_input_tokens: 400,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 100 },
      },
      modelUsage: { "claude-haiku-4-5": { costUSD: 0.001 }, "claude-sonnet-4-5": { costUSD: 0.02 } },
    });
    expect(parseStreamLine(line)).toMatchObject([
      {
        type: "result",
        result: { model: "claude-sonnet-4-5", cacheWrites: { fiveMinute: 300, oneHour: 100 } },
      },
    ]);
  });

  it("reads an assistant tool_use block and the user line with its tool_result", () => {
    expect(recorded(6).filter((line) => line.type !== "request_context")).toEqual([
      {
        type: "tool_use",
        id: "toolu_mock_654bd9da4316465c9a4d5934",
        name: "Read",
        input: { file_path: "/tmp/rec-cwd-OF0E8p/notes.txt" },
      },
    ]);
    expect(recorded(7)).toEqual([
      {
        type: "tool_result",
        toolUseId: "toolu_mock_654bd9da4316465c9a4d5934",
        isError: false,
        content: "1\thello notes\n2\t",
      },
    ]);
  });

  it("reads a refused tool: an error tool_result, and the denial in the result", () => {
    expect(recorded(12)).toMatchObject([{ type: "tool_result", isError: true }]);
    expect(recorded(14)).toMatchObject([{ type: "result", result: { permissionDenials: ["Write"] } }]);
  });

  it("reads an API error: system/api_retry, then an error result with the HTTP status", () => {
    expect(recorded(16)).toEqual([
      {
        type: "api_retry",
        attempt: 1,
        error: "server_error",
        errorStatus: 500,
        retryDelayMs: 559.7379763815294,
      },
    ]);
    expect(recorded(18)).toMatchObject([
      {
        type: "result",
        result: { isError: true, apiErrorStatus: 500, text: expect.stringContaining("API Error: 500") },
      },
    ]);
  });

  it("reads a control_response without a payload", () => {
    expect(recorded(19)).toEqual([
      { type: "control_response", requestId: "r1", success: true, error: null, payload: null },
    ]);
  });
});

describe("parseStreamLine on lines it does not know", () => {
  it("passes a line of an unknown type, or an unknown system subtype, through as other", () => {
    expect(parseStreamLine('{"type":"stream_event","event":{}}')).toEqual([
      { type: "other", raw: { type: "stream_event", event: {} } },
    ]);
    expect(parseStreamLine('{"type":"system","subtype":"no_such_subtype"}')).toMatchObject([
      { type: "other" },
    ]);
  });

  it("reads a compaction: the context before and after", () => {
    const line = {
      type: "system",
      subtype: "compact_boundary",
      compact_metadata: { trigger: "manual", pre_tokens: 21_184, post_tokens: 1_076 },
    };
    expect(parseStreamLine(JSON.stringify(line))).toEqual([
      { type: "compacted", preTokens: 21_184, postTokens: 1_076 },
    ]);
  });

  it("skips content blocks of unknown types and keeps the known ones", () => {
    const line = {
      type: "assistant",
      message: {
        content: [
          { type: "thinking", thinking: "hmm", signature: "x" },
          { type: "text", text: "done", citations: null },
        ],
      },
    };
    expect(parseStreamLine(JSON.stringify(line))).toEqual([{ type: "assistant_text", text: "done" }]);
  });

  it("reads a user line whose content is a plain string as no blocks", () => {
    expect(parseStreamLine('{"type":"user","message":{"role":"user","content":"hi"}}')).toEqual([]);
  });

  it("joins the text blocks of a tool_result whose content is an array", () => {
    const line = {
      type: "user",
      message: {
        content: [
          {
            type: "tool_result",
            tool_use_id: "t1",
            content: [
              { type: "text", text: "one" },
              { type: "image", source: {} },
              { type: "text", text: "two" },
            ],
          },
        ],
      },
    };
    expect(parseStreamLine(JSON.stringify(line))).toEqual([
      { type: "tool_result", toolUseId: "t1", isError: false, content: "one\ntwo" },
    ]);
  });

  it("takes the cost from modelUsage when total_cost_usd is missing", () => {
    const line = {
      type: "result",
      subtype: "success",
      is_error: false,
      modelUsage: { opus: { costUSD: 0.25, inputTokens: 1 }, haiku: { costUSD: 0.5 } },
    };
    expect(parseStreamLine(JSON.stringify(line))).toMatchObject([
      { type: "result", result: { totalCostUsd: 0.75 } },
    ]);
  });

  it("reports a known line that does not fit its schema as malformed, naming the field", () => {
    const [parsed] = parseStreamLine('{"type":"result","subtype":"success","is_error":"no"}');
    expect(parsed).toMatchObject({ type: "malformed", kind: "result" });
    expect(parsed?.type === "malformed" && parsed.problem).toMatch(/is_error/);
    expect(
      parseStreamLine('{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash"}]}}'),
    ).toMatchObject([{ type: "malformed", kind: "assistant", problem: expect.stringMatching(/id/) }]);
    expect(parseStreamLine('{"type":"system","subtype":"init"}')).toMatchObject([
      { type: "malformed", kind: "system/init", problem: expect.stringMatching(/session_id/) },
    ]);
  });

  it("returns nothing for a blank line and throws for text that is not a JSON object with a type", () => {
    expect(parseStreamLine("   ")).toEqual([]);
    expect(() => parseStreamLine("Loading…")).toThrow();
    expect(() => parseStreamLine("[1,2]")).toThrow(/not an object with a type/);
    expect(() => parseStreamLine('{"no_type":true}')).toThrow(/not an object with a type/);
  });
});
