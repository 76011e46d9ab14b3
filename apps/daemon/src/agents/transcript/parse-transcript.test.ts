import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_TOOL_RESULT_CHARS, type MalformedLine, parseTranscript, sumUsage } from "./parse-transcript.js";

/** Written by the real Claude Code (2.1.197) on the mock Messages API: see fixtures/generate-transcript.ts. */
const HEADLESS_SESSION = readFileSync(
  fileURLToPath(new URL("./fixtures/headless-session.jsonl", import.meta.url)),
  "utf8",
);

const line = (value: unknown) => JSON.stringify(value);

describe("parseTranscript on a real headless session", () => {
  const entries = parseTranscript(HEADLESS_SESSION);

  it("reads the prompts, answers, tool calls and their results in order, and nothing else", () => {
    expect(entries.filter((entry) => entry.kind !== "usage")).toEqual([
      { kind: "user", at: expect.any(String), text: "hello" },
      { kind: "text", at: expect.any(String), text: "Hello back" },
      { kind: "user", at: expect.any(String), text: "run echo hi please" },
      { kind: "text", at: expect.any(String), text: "Running it." },
      {
        kind: "tool_use",
        at: expect.any(String),
        id: expect.stringMatching(/^toolu_/),
        name: "Bash",
        input: { command: "echo hi", description: "Say hi" },
      },
      {
        kind: "tool_result",
        at: expect.any(String),
        toolUseId: expect.stringMatching(/^toolu_/),
        isError: false,
        content: "hi",
        truncated: false,
      },
      { kind: "text", at: expect.any(String), text: "The command printed: hi" },
      { kind: "user", at: expect.any(String), text: "now fail please" },
      expect.objectContaining({ kind: "tool_use", input: { command: "exit 3", description: "Fail" } }),
      expect.objectContaining({ kind: "tool_result", isError: true, content: "Exit code 3" }),
      { kind: "text", at: expect.any(String), text: "The command printed: Exit code 3" },
    ]);
  });

  it("pairs each tool result with its tool call", () => {
    const uses = entries.flatMap((entry) => (entry.kind === "tool_use" ? [entry.id] : []));
    const results = entries.flatMap((entry) => (entry.kind === "tool_result" ? [entry.toolUseId] : []));
    expect(results).toEqual(uses);
  });

  it("counts a message's usage once, after its last block, though its two blocks are two lines", () => {
    const messageIds = HEADLESS_SESSION.split("\n")
      .filter((text) => text.includes('"type":"assistant"'))
      .map((text) => (JSON.parse(text) as { message: { id: string } }).message.id);
    expect(messageIds.length).toBe(6);
    expect(new Set(messageIds).size).toBe(5);

    const usages = entries.filter((entry) => entry.kind === "usage");
    expect(usages.map((entry) => entry.messageId)).toEqual([...new Set(messageIds)]);
    const toolCall = entries.findIndex((entry) => entry.kind === "tool_use");
    expect(entries[toolCall + 1]).toEqual({
      kind: "usage",
      at: expect.any(String),
      messageId: messageIds[1],
      model: "claude-opus-4-8",
      usage: {
        input_tokens: 1200,
        output_tokens: 30,
        cache_creation_input_tokens: 40,
        cache_read_input_tokens: 800,
        cost_usd: 0,
      },
    });
  });

  it("sums the usage of the messages, each once", () => {
    const total = sumUsage(entries);
    const perMessage = entries.flatMap((entry) => (entry.kind === "usage" ? [entry.usage] : []));
    expect(total.input_tokens).toBe(perMessage.reduce((sum, usage) => sum + usage.input_tokens, 0));
    expect(total).toMatchObject({
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 40,
      cost_usd: 0,
    });
    // The scripted first two answers: 1000 + 1200 input tokens, 3 + 30 output tokens; the rest are the mock's.
    expect(sumUsage(entries.slice(0, entries.findIndex((entry) => entry.kind === "tool_use") + 2))).toEqual({
      input_tokens: 2200,
      output_tokens: 33,
      cache_creation_input_tokens: 40,
      cache_read_input_tokens: 800,
      cost_usd: 0,
    });
  });

  it("finds nothing malformed", () => {
    const problems: MalformedLine[] = [];
    parseTranscript(HEADLESS_SESSION, { onMalformedLine: (problem) => problems.push(problem) });
    expect(problems).toEqual([]);
  });
});

describe("parseTranscript", () => {
  it("skips and reports malformed lines, and reads the others", () => {
    const problems: MalformedLine[] = [];
    const text = [
      line({ type: "user", message: { role: "user", content: "first" }, timestamp: "t1" }),
      "{not json",
      line({ type: "assistant", message: { content: "no id" } }),
      "42",
      line({ type: "user", message: { role: "user", content: "second" }, timestamp: "t2" }),
    ].join("\n");

    const entries = parseTranscript(text, { onMalformedLine: (problem) => problems.push(problem) });

    expect(entries).toEqual([
      { kind: "user", at: "t1", text: "first" },
      { kind: "user", at: "t2", text: "second" },
    ]);
    expect(problems.map((problem) => problem.line)).toEqual([2, 3, 4]);
    expect(problems[0]?.reason).toMatch(/^not JSON/);
  });

  it("ignores line types and keys it does not know, and Claude Code's own notes", () => {
    const text = [
      line({ type: "file-history-snapshot", snapshot: {} }),
      line({ type: "permission-mode", mode: "default" }),
      line({ type: "attachment", attachment: { type: "skill_listing" } }),
      line({ type: "user", isMeta: true, message: { role: "user", content: "<local-command-caveat>" } }),
      line({ type: "user", message: { role: "user", content: "hi", future: 1 }, brandNew: true }),
    ].join("\n");

    expect(parseTranscript(text)).toEqual([{ kind: "user", at: null, text: "hi" }]);
  });

  it("reads tool results made of text blocks, naming other blocks", () => {
    const text = line({
      type: "user",
      timestamp: "t",
      message: {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            content: [
              { type: "text", text: "one" },
              { type: "image", source: {} },
              { type: "text", text: "two" },
            ],
          },
        ],
      },
    });

    expect(parseTranscript(text)).toEqual([
      {
        kind: "tool_result",
        at: "t",
        toolUseId: "toolu_1",
        isError: false,
        content: "one\n[image]\ntwo",
        truncated: false,
      },
    ]);
  });

  it("cuts a long tool result and says so", () => {
    const text = line({
      type: "user",
      message: { content: [{ type: "tool_result", tool_use_id: "t", content: "x".repeat(10_000) }] },
    });

    const [entry] = parseTranscript(text);

    expect(entry).toMatchObject({ kind: "tool_result", truncated: true });
    expect(entry?.kind === "tool_result" && entry.content.length).toBe(MAX_TOOL_RESULT_CHARS);
  });

  it("marks the end of a turn where the interactive TUI writes turn_duration", () => {
    const text = line({ type: "system", subtype: "turn_duration", durationMs: 116, timestamp: "t" });
    expect(parseTranscript(text)).toEqual([{ kind: "turn_end", at: "t", durationMs: 116 }]);
  });

  it("takes a message's usage from its last line when its lines disagree", () => {
    const assistant = (block: unknown, outputTokens: number) =>
      line({
        type: "assistant",
        timestamp: `t${outputTokens}`,
        message: {
          id: "msg_1",
          model: "m",
          content: [block],
          usage: { input_tokens: 10, output_tokens: outputTokens },
        },
      });
    const text = [
      assistant({ type: "thinking", thinking: "hmm" }, 1),
      assistant({ type: "text", text: "done" }, 7),
    ].join("\n");

    expect(parseTranscript(text)).toEqual([
      { kind: "text", at: "t7", text: "done" },
      {
        kind: "usage",
        at: "t7",
        messageId: "msg_1",
        model: "m",
        usage: {
          input_tokens: 10,
          output_tokens: 7,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cost_usd: 0,
        },
      },
    ]);
  });
});
