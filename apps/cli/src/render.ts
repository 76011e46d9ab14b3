import {
  type Agent,
  type DaemonStatus,
  formatAge,
  formatBytes,
  formatCompactCount,
  formatCost,
  formatDuration,
  type Task,
  type TokenUsage,
  teamUsage,
  totalTokens,
} from "@cca/core";
import { inTermsOfCli } from "./daemon-messages.js";
import { type Colors, NO_COLORS } from "./layout/colors.js";
import { createIdShortener } from "./layout/short-ids.js";
import { type Cell, renderTable } from "./layout/table.js";
import { displayWidth, truncateLine } from "./layout/text-width.js";
import { formatBudgetUse } from "./render-budget.js";

/** What human output depends on besides the data: the time now, the terminal width, colour. */
export interface RenderOptions {
  now: Date;
  /** Columns available; every line is cut to fit. */
  width: number;
  /** Colours for states; none when absent. */
  colors?: Colors;
}

/** The token and cost line of a usage record, with its breakdown. */
export function formatUsage(usage: TokenUsage): string {
  const parts = [
    `in ${formatCompactCount(usage.input_tokens)}`,
    `out ${formatCompactCount(usage.output_tokens)}`,
    `cache write ${formatCompactCount(usage.cache_creation_input_tokens)}`,
    `cache read ${formatCompactCount(usage.cache_read_input_tokens)}`,
  ];
  return `${formatCompactCount(totalTokens(usage))} tokens (${parts.join(", ")}), ${formatCost(usage.cost_usd)}`;
}

/** `text` on one line (whitespace collapsed), cut to `max` terminal columns with an ellipsis. */
export function truncate(text: string, max: number): string {
  return truncateLine(text, max);
}

/** A cell showing a task status or agent state in its colour. */
export function stateCell(state: string, options: RenderOptions, label = state): Cell {
  const colors = options.colors ?? NO_COLORS;
  return { text: label, paint: (text) => colors.state(state, text) };
}

/**
 * `cca task list`: one line per task, ids shortened; tokens and cost are the team's (the task
 * and its parts), PARTS how many parts it has (at any depth).
 */
export function renderTaskTable(tasks: readonly Task[], options: RenderOptions): string {
  if (tasks.length === 0) return "No tasks.";
  const short = createIdShortener(tasks.map((task) => task.id));
  const rows = tasks.map((task) => [
    short(task.id),
    stateCell(task.status, options),
    formatAge(task.created_at, options.now.getTime()),
    task.parent_id === null ? String(task.part_count ?? 0) : "-",
    formatCompactCount(totalTokens(teamUsage(task))),
    formatCost(teamUsage(task).cost_usd),
    task.priority === "normal" ? task.description : `[${task.priority}] ${task.description}`,
  ]);
  return renderTable(["ID", "STATUS", "AGE", "PARTS", "TOKENS", "COST", "DESCRIPTION"], rows, options.width);
}

/** One line about a task: for `task create`, and for each change `task status --watch` sees. */
export function renderTaskLine(task: Task, options: RenderOptions): string {
  const parts = [`task ${task.id}`, task.status, `priority ${task.priority}`];
  if (task.agent_id) parts.push(`agent ${task.agent_id}`);
  const usage = teamUsage(task);
  if (totalTokens(usage) > 0) {
    parts.push(`${formatCompactCount(totalTokens(usage))} tokens`, formatCost(usage.cost_usd));
  }
  const head = parts.join("  ");
  return `${head}  ${truncate(task.description, Math.max(20, options.width - displayWidth(head) - 2))}`;
}

/**
 * `cca task status`: everything about one task, result and error included in full; its usage
 * is the team's (the task and its parts), and so is what it spent of its budget. A paused
 * task's error is why it paused, what was done and what was not.
 */
export function renderTaskDetail(task: Task, options: RenderOptions, usageNote = ""): string {
  const now = options.now.getTime();
  const colors = options.colors ?? NO_COLORS;
  const timing = [`created ${formatAge(task.created_at, now)} ago`];
  if (task.started_at) timing.push(`started ${formatAge(task.started_at, now)} ago`);
  if (task.resumed_at) timing.push(`resumed ${formatAge(task.resumed_at, now)} ago`);
  if (task.finished_at) timing.push(`finished ${formatAge(task.finished_at, now)} ago`);
  const took: string[] = [];
  if (task.duration_ms !== null) took.push(`took ${formatDuration(task.duration_ms)}`);
  if (task.num_turns !== null) took.push(`${task.num_turns} turn${task.num_turns === 1 ? "" : "s"}`);
  const fields: [string, string][] = [
    ["task", task.id],
    ["status", colors.state(task.status)],
    ["priority", task.priority],
    ["agent", task.agent_id ?? "-"],
    ["time", `${timing.join(", ")}${took.length > 0 ? ` (${took.join(", ")})` : ""}`],
    ["usage", `${formatUsage(teamUsage(task))}${usageNote}`],
  ];
  if (task.budget) fields.push(["budget", formatBudgetUse(task.budget, teamUsage(task))]);
  if (task.parent_id) fields.push(["parent", task.parent_id]);
  if (task.session_id) fields.push(["session", task.session_id]);
  const lines = fields.map(([label, value]) => `${label.padEnd(9)}${value}`);
  lines.push("", "description", indent(task.description));
  const paused = task.status === "paused";
  if (task.result !== null) lines.push("", paused ? "result so far" : "result", indent(task.result));
  if (task.error) {
    const message = inTermsOfCli(task.error.message);
    if (paused) lines.push("", colors.state("paused"), indent(message));
    else lines.push("", "error", indent(`${task.error.code}: ${message}`));
  }
  return lines.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `  ${line}` : line))
    .join("\n");
}

/** An agent's state for people: one waiting for an approval (`waiting_input`) "needs you". */
export function agentStateLabel(state: string): string {
  return state === "waiting_input" ? "needs you" : state;
}

/**
 * `cca agent list`: one line per agent, ids shortened. An agent's id starts with its role
 * (`backend_4edc…`), so the role has no column of its own. RSS is its process tree's memory
 * (its pid is in `--json`).
 */
export function renderAgentTable(agents: readonly Agent[], options: RenderOptions): string {
  if (agents.length === 0) return "No agents.";
  const shortAgent = createIdShortener(agents.map((agent) => agent.id));
  const shortTask = createIdShortener(agents.map((agent) => agent.current_task_id));
  const rows = agents.map((agent) => [
    shortAgent(agent.id),
    stateCell(agent.state, options, agentStateLabel(agent.state)),
    formatBytes(agent.rss_bytes),
    String(agent.tasks_completed),
    formatCompactCount(totalTokens(agent.usage)),
    formatCost(agent.usage.cost_usd),
    formatAge(agent.last_activity_at, options.now.getTime()),
    agent.current_task_id
      ? shortTask(agent.current_task_id)
      : agent.last_error
        ? `error: ${agent.last_error.message}`
        : "-",
  ]);
  return renderTable(["ID", "STATE", "RSS", "DONE", "TOKENS", "COST", "ACTIVE", "TASK"], rows, options.width);
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
    ...(status.turns ? [`turns    ${formatTurns(status.turns)}`] : []),
    `usage    ${formatUsage(status.usage)}`,
    `bind     ${status.bind_address}`,
    `config   ${status.config_source ?? "defaults (no cca.toml)"}`,
    `bus      ${status.bus}`,
  ].join("\n");
}

/** The turn limiter: how many turns may call the API at once, and why fewer when the API rate-limits. */
function formatTurns(turns: NonNullable<DaemonStatus["turns"]>): string {
  const now = `${turns.active} running, ${turns.waiting} waiting`;
  if (turns.limit >= turns.max && !turns.wait_until) return `${now} (up to ${turns.max} at once)`;
  const hold = turns.wait_until ? `; new turns wait until ${turns.wait_until.slice(11, 19)} UTC` : "";
  return `${now} (${turns.limit} of ${turns.max} at once: the API rate-limited${hold})`;
}

function formatBreakdown(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}
