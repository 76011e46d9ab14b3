import {
  type AgentLogEntry,
  type AgentLogsResponse,
  commandOf,
  formatCompactCount,
  formatDuration,
} from "@cca/core";
import { NO_COLORS } from "./layout/colors.js";
import { displayWidth, padEndToWidth, truncateLine, truncateToWidth } from "./layout/text-width.js";
import type { RenderOptions } from "./render.js";

/** Rows a prompt or an answer takes at most; the rest is cut with `…`. */
const MAX_TEXT_ROWS = 4;
/** The label column: `you`, `claude`, `tool`, `usage`, `turn`. */
const LABEL_WIDTH = 6;
/** `12:01:03` */
const TIME_WIDTH = 8;
/** Narrowest text column kept, however narrow the terminal. */
const MIN_TEXT_WIDTH = 20;

/**
 * Turns log entries into terminal lines, one or a few per entry, each fitting the width:
 * `12:01:03 you     hello`, `12:01:04 tool    Bash echo hi → hi`, `12:01:04 usage   in 22.2k out 11 …`.
 * It remembers across calls (pages of `cca agent logs -f`) the tool calls whose results are
 * still to come, and the messages whose usage it has shown, so none is shown twice.
 */
export interface AgentLogRenderer {
  render(entries: readonly AgentLogEntry[]): string[];
}

/**
 * A renderer for one agent's log.
 * @example
 * const renderer = createAgentLogRenderer(context.renderOptions());
 * for (const line of renderer.render(page.entries)) context.print(line);
 */
export function createAgentLogRenderer(options: RenderOptions): AgentLogRenderer {
  const colors = options.colors ?? NO_COLORS;
  const toolNames = new Map<string, string>();
  const shownUsage = new Set<string>();
  const textWidth = Math.max(MIN_TEXT_WIDTH, options.width - TIME_WIDTH - LABEL_WIDTH - 2);
  const indent = " ".repeat(TIME_WIDTH + LABEL_WIDTH + 2);

  const row = (at: string | null, label: string, text: string, paintLabel = (value: string) => value) =>
    truncateToWidth(
      `${colors.dim(clock(at))} ${paintLabel(padEndToWidth(label, LABEL_WIDTH))} ${text}`,
      options.width,
    );
  const paragraph = (
    at: string | null,
    label: string,
    text: string,
    paintLabel?: (value: string) => string,
  ) => {
    const [first = "", ...rest] = wrap(text, textWidth, MAX_TEXT_ROWS);
    return [row(at, label, first, paintLabel), ...rest.map((line) => `${indent}${line}`)];
  };
  const result = (entry: Extract<AgentLogEntry, { kind: "tool_result" }>) => {
    const lines = entry.content.split("\n").filter((line) => line.trim() !== "");
    const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : "";
    const text = `${truncateLine(lines[0] ?? "(no output)", textWidth)}${more}`;
    return entry.is_error ? colors.state("failed", `error: ${text}`) : text;
  };

  return {
    render(entries) {
      const out: string[] = [];
      const results = new Map<string, Extract<AgentLogEntry, { kind: "tool_result" }>>();
      const calls = new Set<string>();
      for (const entry of entries) {
        if (entry.kind === "tool_result") results.set(entry.tool_use_id, entry);
        if (entry.kind === "tool_use") calls.add(entry.id);
      }
      for (const entry of entries) {
        switch (entry.kind) {
          case "user":
            out.push(...paragraph(entry.at, "you", entry.text, colors.bold));
            break;
          case "text":
            out.push(...paragraph(entry.at, "claude", entry.text, colors.bold));
            break;
          case "tool_use": {
            toolNames.set(entry.id, entry.name);
            const call = `${entry.name} ${describeInput(entry.name, entry.input)}`.trimEnd();
            const answer = results.get(entry.id);
            const answered = answer ? ` → ${result(answer)}` : "";
            // Leave the result some room beside a long call.
            const callWidth = answer ? Math.max(MIN_TEXT_WIDTH, Math.floor(textWidth * 0.6)) : textWidth;
            out.push(row(entry.at, "tool", `${truncateLine(call, callWidth)}${answered}`));
            break;
          }
          case "tool_result": {
            // Shown with its call, on the call's line.
            if (calls.has(entry.tool_use_id)) break;
            const name = toolNames.get(entry.tool_use_id) ?? "tool";
            out.push(row(entry.at, "tool", `${name} → ${result(entry)}`));
            break;
          }
          case "usage": {
            if (shownUsage.has(entry.message_id)) break;
            shownUsage.add(entry.message_id);
            const { usage } = entry;
            const counts = [
              `in ${formatCompactCount(usage.input_tokens)}`,
              `out ${formatCompactCount(usage.output_tokens)}`,
              `cache-read ${formatCompactCount(usage.cache_read_input_tokens)}`,
              ...(usage.cache_creation_input_tokens > 0
                ? [`cache-write ${formatCompactCount(usage.cache_creation_input_tokens)}`]
                : []),
            ];
            out.push(row(entry.at, "usage", colors.dim(counts.join(" ")), colors.dim));
            break;
          }
          case "turn_end":
            out.push(
              row(
                entry.at,
                "turn",
                colors.dim(
                  entry.duration_ms === null ? "ended" : `ended after ${formatDuration(entry.duration_ms)}`,
                ),
                colors.dim,
              ),
            );
            break;
        }
      }
      return out;
    },
  };
}

/** What goes above the entries: how many were left out, or that there are none yet. */
export function renderAgentLogsHeader(logs: AgentLogsResponse, options: RenderOptions): string[] {
  const colors = options.colors ?? NO_COLORS;
  const lines: string[] = [];
  if (logs.entries.length === 0 && logs.omitted === 0) {
    const where = logs.session_id ? "its transcript is empty or not written yet" : "it has no session yet";
    lines.push(`No log entries for agent ${logs.agent_id}: ${where}.`);
  }
  if (logs.omitted > 0) {
    lines.push(colors.dim(`… ${logs.omitted} earlier entries (show more with --lines)`));
  }
  return lines.map((line) => truncateToWidth(line, options.width));
}

/** A few words of a tool call's input: the command, the file, the pattern, else its JSON. */
function describeInput(name: string, input: Record<string, unknown>): string {
  const command = commandOf(name, input);
  if (command !== undefined) return command;
  for (const key of ["file_path", "notebook_path", "path", "pattern", "url", "query", "description"]) {
    const value = input[key];
    if (typeof value === "string" && value !== "") return value;
  }
  const json = JSON.stringify(input);
  return json === "{}" ? "" : json;
}

/** `HH:MM:SS` of an ISO time (UTC, as the daemon's times are), blank when unknown. */
function clock(at: string | null): string {
  const time = at === null ? Number.NaN : Date.parse(at);
  return Number.isNaN(time) ? " ".repeat(TIME_WIDTH) : new Date(time).toISOString().slice(11, 19);
}

/**
 * `text` wrapped at word boundaries into rows of at most `width` columns, at most `maxRows` of
 * them (the last ending in `…` when there was more); blank lines dropped.
 */
function wrap(text: string, width: number, maxRows: number): string[] {
  const rows: string[] = [];
  for (const paragraph of text.split("\n")) {
    let current = "";
    for (const word of paragraph.split(/\s+/).filter((part) => part !== "")) {
      const candidate = current === "" ? word : `${current} ${word}`;
      if (displayWidth(candidate) <= width) current = candidate;
      else {
        if (current !== "") rows.push(current);
        current = truncateToWidth(word, width);
      }
    }
    if (current !== "") rows.push(current);
  }
  if (rows.length <= maxRows) return rows;
  const kept = rows.slice(0, maxRows);
  const last = kept[maxRows - 1] ?? "";
  kept[maxRows - 1] = displayWidth(last) < width ? `${last}…` : truncateToWidth(`${last}…`, width);
  return kept;
}
