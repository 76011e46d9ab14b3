import type { AgentLogEntry, AgentLogsResponse } from "@cca/core";
import { describe, expect, it } from "vitest";
import { createColors } from "./layout/colors.ts";
import { displayWidth } from "./layout/text-width.ts";
import { createAgentLogRenderer, renderAgentLogsHeader } from "./render-agent-logs.ts";

const now = new Date("2026-01-01T12:05:00.000Z");
const at = (time: string) => `2026-01-01T${time}.000Z`;

const usage = (input: number, output: number, cacheRead = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: cacheRead,
  cost_usd: 0,
});

const session: AgentLogEntry[] = [
  { kind: "user", at: at("12:01:03"), text: "hello" },
  { kind: "text", at: at("12:01:04"), text: "Hello back" },
  { kind: "tool_use", at: at("12:01:04"), id: "toolu_1", name: "Bash", input: { command: "echo hi" } },
  {
    kind: "tool_result",
    at: at("12:01:04"),
    tool_use_id: "toolu_1",
    is_error: false,
    content: "hi",
    truncated: false,
  },
  { kind: "usage", at: at("12:01:04"), message_id: "msg_1", model: "m", usage: usage(22_200, 11) },
  { kind: "turn_end", at: at("12:01:05"), duration_ms: 1500 },
];

describe("createAgentLogRenderer", () => {
  it("shows each entry on a line: time, who, what; a tool call with its result", () => {
    const lines = createAgentLogRenderer({ now, width: 80 }).render(session);

    expect(lines).toEqual([
      "12:01:03 you    hello",
      "12:01:04 claude Hello back",
      "12:01:04 tool   Bash echo hi → hi",
      "12:01:04 usage  in 22.2k out 11 cache-read 0",
      "12:01:05 turn   ended after 1.5s",
    ]);
  });

  it("shows a result that comes in a later page on its own line, named after its call, and a failure as an error", () => {
    const renderer = createAgentLogRenderer({ now, width: 80 });
    renderer.render(session.slice(0, 3));

    const lines = renderer.render([
      {
        kind: "tool_result",
        at: at("12:02:00"),
        tool_use_id: "toolu_1",
        is_error: true,
        content: "Exit code 3\nstderr here",
        truncated: false,
      },
    ]);

    expect(lines).toEqual(["12:02:00 tool   Bash → error: Exit code 3 (+1 lines)"]);
  });

  it("shows a message's usage once, even when a later page repeats it", () => {
    const renderer = createAgentLogRenderer({ now, width: 80 });
    const entry = session[4]!;

    expect(renderer.render([entry])).toHaveLength(1);
    expect(renderer.render([entry])).toEqual([]);
  });

  it("wraps a long answer over a few rows under its text, cut with an ellipsis, each fitting the width", () => {
    const long = Array.from({ length: 60 }, (_, index) => `word${index}`).join(" ");
    const lines = createAgentLogRenderer({ now, width: 40 }).render([
      { kind: "text", at: at("12:00:00"), text: long },
      {
        kind: "tool_use",
        at: at("12:00:01"),
        id: "t",
        name: "Write",
        input: { file_path: `/work/${"deep/".repeat(20)}file.ts`, content: "x" },
      },
    ]);

    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^12:00:00 claude word0 word1 /);
    expect(lines[1]).toMatch(/^ {16}word/);
    expect(lines[3]).toMatch(/…$/);
    expect(lines[4]).toMatch(/^12:00:01 tool {3}Write \/work\/deep\/.*…$/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });

  it("paints only when colours are on", () => {
    const plain = createAgentLogRenderer({ now, width: 80, colors: createColors(false) }).render(session);
    const painted = createAgentLogRenderer({ now, width: 80, colors: createColors(true) }).render(session);

    expect(plain.join("\n")).not.toContain("\u001b[");
    expect(painted[0]).toContain("\u001b[1myou");
    const sgr = new RegExp(`${"\u001b"}\\[[0-9;]*m`, "g");
    expect(painted.map((line) => line.replace(sgr, ""))).toEqual(plain);
  });
});

describe("renderAgentLogsHeader", () => {
  const logs: AgentLogsResponse = {
    agent_id: "agent_1",
    session_id: "s1",
    transcript_path: "/c/projects/-w/s1.jsonl",
    entries: [],
    omitted: 0,
    malformed_lines: 0,
    next_cursor: "0",
  };

  it("says when there is nothing yet, and why", () => {
    expect(renderAgentLogsHeader(logs, { now, width: 120 })).toEqual([
      "No log entries for agent agent_1: its transcript is empty or not written yet.",
    ]);
    expect(renderAgentLogsHeader({ ...logs, session_id: null }, { now, width: 120 })).toEqual([
      "No log entries for agent agent_1: it has no session yet.",
    ]);
  });

  it("says how many earlier entries were left out", () => {
    expect(renderAgentLogsHeader({ ...logs, entries: session, omitted: 12 }, { now, width: 120 })).toEqual([
      "… 12 earlier entries (show more with --lines)",
    ]);
  });
});
