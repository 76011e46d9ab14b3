import type { Agent, DaemonStatus, Task, TokenUsage } from "@cca/core";

/** What human output depends on besides the data: the time now and the terminal width. */
export interface RenderOptions {
  now: Date;
  /** Columns available; tables shorten their last column to fit. */
  width: number;
}

/** How long ago `iso` was, compactly: `12s`, `5m`, `3h`, `4d`; `-` for none. */
export function formatAge(iso: string | null, now: Date): string {
  if (!iso) return "-";
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return "?";
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** A duration in milliseconds, compactly: `850ms`, `4.2s`, `3m04s`, `2h05m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, "0")}s`;
  }
  const minutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** A count, compactly: `950`, `12.3k`, `4.5M`. */
export function formatCount(count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) return `${trimZero((count / 1000).toFixed(1))}k`;
  return `${trimZero((count / 1_000_000).toFixed(1))}M`;
}

function trimZero(value: string): string {
  return value.endsWith(".0") ? value.slice(0, -2) : value;
}

/** Every token a usage record counts: input, output and both kinds of cache tokens. */
export function totalTokens(usage: TokenUsage): number {
  return (
    usage.input_tokens +
    usage.output_tokens +
    usage.cache_creation_input_tokens +
    usage.cache_read_input_tokens
  );
}

/** A cost in US dollars: four decimals below a dollar, two above. */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** The token and cost line of a usage record, with its breakdown. */
export function formatUsage(usage: TokenUsage): string {
  const parts = [
    `in ${formatCount(usage.input_tokens)}`,
    `out ${formatCount(usage.output_tokens)}`,
    `cache write ${formatCount(usage.cache_creation_input_tokens)}`,
    `cache read ${formatCount(usage.cache_read_input_tokens)}`,
  ];
  return `${formatCount(totalTokens(usage))} tokens (${parts.join(", ")}), ${formatCost(usage.cost_usd)}`;
}

/** `text` on one line (whitespace collapsed), cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (oneLine.length <= max) return oneLine;
  if (max <= 1) return oneLine.slice(0, Math.max(0, max));
  return `${oneLine.slice(0, max - 1)}…`;
}

/**
 * A plain-text table: columns padded to their widest cell, two spaces apart. The last column
 * is cut so each line fits `width` (but keeps at least 20 characters).
 */
export function renderTable(header: string[], rows: string[][], width: number): string {
  const lastIndex = header.length - 1;
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? "").length)),
  );
  const fixed = widths.slice(0, lastIndex).reduce((sum, columnWidth) => sum + columnWidth + 2, 0);
  const lastWidth = Math.max(20, width - fixed);
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index === lastIndex ? truncate(cell, lastWidth) : cell.padEnd(widths[index] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `cca task list`: one line per task. */
export function renderTaskTable(tasks: readonly Task[], options: RenderOptions): string {
  if (tasks.length === 0) return "No tasks.";
  const rows = tasks.map((task) => [
    task.id,
    task.status,
    task.priority,
    formatAge(task.created_at, options.now),
    formatCount(totalTokens(task.usage)),
    formatCost(task.usage.cost_usd),
    task.description,
  ]);
  return renderTable(
    ["ID", "STATUS", "PRIORITY", "AGE", "TOKENS", "COST", "DESCRIPTION"],
    rows,
    options.width,
  );
}

/** One line about a task: for `task create`, and for each change `task status --watch` sees. */
export function renderTaskLine(task: Task, options: RenderOptions): string {
  const parts = [`task ${task.id}`, task.status, `priority ${task.priority}`];
  if (task.agent_id) parts.push(`agent ${task.agent_id}`);
  if (totalTokens(task.usage) > 0) {
    parts.push(`${formatCount(totalTokens(task.usage))} tokens`, formatCost(task.usage.cost_usd));
  }
  const head = parts.join("  ");
  return `${head}  ${truncate(task.description, Math.max(20, options.width - head.length - 2))}`;
}

/** `cca task status`: everything about one task, result and error included in full. */
export function renderTaskDetail(task: Task, options: RenderOptions): string {
  const timing = [`created ${formatAge(task.created_at, options.now)} ago`];
  if (task.started_at) timing.push(`started ${formatAge(task.started_at, options.now)} ago`);
  if (task.finished_at) timing.push(`finished ${formatAge(task.finished_at, options.now)} ago`);
  const took: string[] = [];
  if (task.duration_ms !== null) took.push(`took ${formatDuration(task.duration_ms)}`);
  if (task.num_turns !== null) took.push(`${task.num_turns} turn${task.num_turns === 1 ? "" : "s"}`);
  const fields: [string, string][] = [
    ["task", task.id],
    ["status", task.status],
    ["priority", task.priority],
    ["agent", task.agent_id ?? "-"],
    ["time", `${timing.join(", ")}${took.length > 0 ? ` (${took.join(", ")})` : ""}`],
    ["usage", formatUsage(task.usage)],
  ];
  if (task.parent_id) fields.push(["parent", task.parent_id]);
  if (task.session_id) fields.push(["session", task.session_id]);
  const lines = fields.map(([label, value]) => `${label.padEnd(9)}${value}`);
  lines.push("", "description", indent(task.description));
  if (task.result !== null) lines.push("", "result", indent(task.result));
  if (task.error) lines.push("", "error", indent(`${task.error.code}: ${task.error.message}`));
  return lines.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
}

/** `cca agent list`: one line per agent. */
export function renderAgentTable(agents: readonly Agent[], options: RenderOptions): string {
  if (agents.length === 0) return "No agents.";
  const rows = agents.map((agent) => [
    agent.id,
    agent.role,
    agent.state,
    agent.pid === null ? "-" : String(agent.pid),
    String(agent.tasks_completed),
    formatCount(totalTokens(agent.usage)),
    formatCost(agent.usage.cost_usd),
    formatAge(agent.last_activity_at, options.now),
    agent.current_task_id ?? (agent.last_error ? `error: ${agent.last_error.message}` : "-"),
  ]);
  return renderTable(
    ["ID", "ROLE", "STATE", "PID", "DONE", "TOKENS", "COST", "ACTIVE", "TASK"],
    rows,
    options.width,
  );
}

/** One line about an agent, for `agent spawn` and `agent stop`. */
export function renderAgentLine(agent: Agent): string {
  const parts = [`agent ${agent.id}`, `role ${agent.role}`, agent.state];
  if (agent.pid !== null) parts.push(`pid ${agent.pid}`);
  return parts.join("  ");
}

/** `cca daemon status`: where the daemon runs and what it holds. */
export function renderDaemonStatus(status: DaemonStatus, url: string): string {
  return [
    `ccad ${status.version} running at ${url} (pid ${status.pid}, up ${formatDuration(status.uptime_s * 1000)})`,
    `agents   ${status.agents.total} of ${status.agents.max}${formatBreakdown(status.agents.by_state)}`,
    `tasks    ${status.tasks.total}${formatBreakdown(status.tasks.by_status)}`,
    `usage    ${formatUsage(status.usage)}`,
    `bind     ${status.bind_address}`,
    `config   ${status.config_source ?? "defaults (no cca.toml)"}`,
    `bus      ${status.bus}`,
  ].join("\n");
}

function formatBreakdown(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}
