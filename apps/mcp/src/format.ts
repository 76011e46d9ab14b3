import {
  type ActivityEvent,
  type ActivityView,
  type Agent,
  type ChangesReading,
  formatAge,
  formatCost,
  formatDuration,
  formatGroupedCount,
  formatTaskChanges,
  formatWorkspaceNotes,
  type PartChanges,
  type Task,
  type TaskBudget,
  type TaskTree,
  type TokenUsage,
  type ToolUseSummary,
  teamUsage,
} from "@cca/core";

// The agent bridge imports these primitives from here, beside the prose helpers it also uses.
export { formatCost, formatDuration } from "@cca/core";

/** How many tasks `cca_status` lists without an id, and how many events `cca_activity` shows. */
export const RECENT_TASKS_SHOWN = 10;
export const RECENT_EVENTS_SHOWN = 15;
const DESCRIPTION_PREVIEW_CHARS = 70;
const DESCRIPTION_DETAIL_CHARS = 500;

/** How long before `now` (epoch ms) `at` was, in prose: `12s ago`, `5m ago`, `3h ago`, `4d ago`. */
export function formatAgo(at: string, now: number): string {
  return `${formatAge(at, now)} ago`;
}

/** `tokens 1,234 in / 567 out` plus the cache traffic when there was some. */
export function formatTokens(usage: TokenUsage): string {
  const cached = usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  const cache = cached > 0 ? ` (+${formatGroupedCount(cached)} cache)` : "";
  return `tokens ${formatGroupedCount(usage.input_tokens)} in${cache} / ${formatGroupedCount(usage.output_tokens)} out`;
}

/**
 * The one-line account that ends every task answer, with the team's total (the task and all its
 * parts), e.g. `[cca task_1 · completed · tokens 1,234 in / 567 out · $0.0123 · wall 42.1s · agent 40.2s]`.
 */
export function formatTaskFooter(task: Task | TaskTree): string {
  const usage = teamUsage(task);
  const parts = [`cca ${task.id}`, task.status, formatTokens(usage), formatCost(usage.cost_usd)];
  if (task.duration_ms !== null) parts.push(`wall ${formatDuration(task.duration_ms)}`);
  if (task.agent_duration_ms !== null) parts.push(`agent ${formatDuration(task.agent_duration_ms)}`);
  return `[${parts.join(" · ")}]`;
}

/** A finished task's answer, the parts it was split into (if any), what changed, and its footer. */
export function formatTaskAnswer(task: Task | TaskTree, changes: ChangesReading = null): string {
  const answer = task.result?.trim() ? task.result.trim() : "(The team finished without a written answer.)";
  return [answer, formatParts(task), formatChanges(task, changes), formatTaskFooter(task)]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * The task's branch and changed files (a diffstat per part, capped), how to apply it, why the
 * agents shared the folder, what auto-apply did; "" when there is nothing to say.
 */
export function formatChanges(task: Task | TaskTree, reading: ChangesReading): string {
  const lines: string[] = [];
  if (reading && "changes" in reading) {
    const { changes } = reading;
    lines.push(...formatTaskChanges(changes, { partLabel: (part) => partLabel(task, part) }));
    if (task.status === "completed" && changes.total.files.length > 0 && !task.workspace?.applied) {
      lines.push(
        `Apply it to your branch with cca_apply {"task_id":"${task.id}"}; cca_diff {"task_id":"${task.id}"} shows the patch.`,
      );
    }
  } else if (reading) {
    lines.push(`Branch ${task.workspace?.branch ?? `cca/${task.id}`}: ${reading.problem}`);
  }
  lines.push(...formatWorkspaceNotes(task.workspace));
  return lines.join("\n");
}

/** `backend task_2` for a part found in the tree, else its id (or branch). */
function partLabel(task: Task | TaskTree, part: PartChanges): string {
  const found = "subtasks" in task ? findTask(task, part.part_id) : undefined;
  if (!found?.agent_id) return part.part_id ?? part.branch;
  return `${roleOf(found.agent_id)} ${found.id}`;
}

function findTask(tree: TaskTree, id: string | null): TaskTree | undefined {
  if (id === null) return undefined;
  if (tree.id === id) return tree;
  for (const subtask of tree.subtasks) {
    const found = findTask(subtask, id);
    if (found) return found;
  }
  return undefined;
}

function roleOf(agentId: string): string {
  return agentId.replace(/_[0-9a-f]+$/, "");
}

/** One line per delegated part, nested; "" for a task done in one piece (the footer has the team's total). */
export function formatParts(task: Task | TaskTree): string {
  if (!("subtasks" in task) || task.subtasks.length === 0) return "";
  const lines: string[] = ["Parts:"];
  const walk = (node: TaskTree, depth: number) => {
    const role = node.agent_id ? roleOf(node.agent_id) : "unassigned";
    const effort = [node.status, formatTokens(node.usage), formatCost(node.usage.cost_usd)];
    if (node.duration_ms !== null) effort.push(formatDuration(node.duration_ms));
    const failure = node.error ? ` [${node.error.code}]` : "";
    lines.push(
      `${"  ".repeat(depth)}- ${role} · ${effort.join(" · ")}${failure}: ${clip(node.description, 80)}`,
    );
    for (const child of node.subtasks) walk(child, depth + 1);
  };
  for (const subtask of task.subtasks) walk(subtask, 0);
  return lines.join("\n");
}

/** How a task that did not complete ended (or stopped), as a verb phrase: "failed", "was cancelled", "was paused", … */
export function formatEndVerb(task: Task): string {
  if (task.status === "cancelled") return "was cancelled";
  if (task.status === "paused") return "was paused";
  return task.status === "interrupted" ? "was interrupted" : "failed";
}

/**
 * A task paused because a budget ran out, which is no failure but a question for the user: why,
 * what was done and what was not run yet (the daemon's message), its answer so far, the parts,
 * what its branch holds, how to go on, and its footer.
 */
export function formatTaskPaused(task: Task | TaskTree, changes: ChangesReading = null): string {
  const why = task.error ? ` [${task.error.code}]: ${task.error.message}` : ".";
  const answer = task.result?.trim() || "(No written answer yet.)";
  const budget = task.budget ? `Its budget was ${formatBudget(task.budget)}. ` : "";
  return [
    `Task ${task.id} paused, not failed${why}`,
    `Answer so far:\n${answer}`,
    formatParts(task),
    formatChanges(task, changes),
    `${budget}${formatResumeHint(task)}`,
    formatTaskFooter(task),
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** What a paused task waits for: the user's word to resume it (with what budget) or drop it. */
function formatResumeHint(task: Task): string {
  return (
    `It waits for the user's decision: continue it with cca_resume {"task_id":"${task.id}"} ` +
    '(another budget as big as its last), or give its new total, what it spent included, as "budget" ' +
    `({"tokens": …} or {"usd": …}); cca_cancel {"task_id":"${task.id}"} drops it.`
  );
}

/** `200,000 tokens and $2.00`: what a budget allows the whole team. */
function formatBudget(budget: TaskBudget): string {
  const limits: string[] = [];
  if (budget.tokens !== undefined) limits.push(`${formatGroupedCount(budget.tokens)} tokens`);
  if (budget.usd !== undefined) limits.push(`$${budget.usd.toFixed(2)}`);
  return limits.join(" and ");
}

/** Why a task failed or was cancelled, the parts (if any), what its branch holds, and its footer. */
export function formatTaskFailure(task: Task | TaskTree, changes: ChangesReading = null): string {
  const verb = formatEndVerb(task);
  const reason = task.error ? ` [${task.error.code}]: ${task.error.message}` : ".";
  return [
    `Task ${task.id} ${verb}${reason}`,
    formatParts(task),
    formatChanges(task, changes),
    formatTaskFooter(task),
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** Everything `cca_status` knows about one task, result and (once it ended) what changed included. */
export function formatTaskDetails(task: Task, now: number, changes: ChangesReading = null): string {
  const lines = [`Task ${task.id}: ${task.status} (priority ${task.priority})`];
  if (task.parent_id) lines.push(`Subtask of ${task.parent_id}`);
  lines.push(`Description: ${clip(task.description, DESCRIPTION_DETAIL_CHARS)}`);
  if (task.agent_id) lines.push(`Agent: ${task.agent_id}`);
  const times = [`created ${formatAgo(task.created_at, now)}`];
  if (task.started_at) times.push(`started ${formatAgo(task.started_at, now)}`);
  if (task.finished_at) times.push(`finished ${formatAgo(task.finished_at, now)}`);
  lines.push(`Times: ${times.join(", ")}`);
  const usage = teamUsage(task);
  const effort = [formatTokens(usage), formatCost(usage.cost_usd)];
  if (task.duration_ms !== null) effort.push(`wall ${formatDuration(task.duration_ms)}`);
  if (task.agent_duration_ms !== null) effort.push(`agent ${formatDuration(task.agent_duration_ms)}`);
  if (task.num_turns !== null) effort.push(`${task.num_turns} turns`);
  lines.push(`Effort: ${effort.join(" · ")}`);
  if (task.budget) lines.push(`Budget: ${formatBudget(task.budget)}`);
  const paused = task.status === "paused";
  if (task.error) lines.push(`${paused ? "Paused" : "Error"} [${task.error.code}]: ${task.error.message}`);
  const changed = formatChanges(task, changes);
  if (changed) lines.push(changed);
  if (paused && task.parent_id === null) lines.push(formatResumeHint(task));
  if (task.result !== null) lines.push("", paused ? "Answer so far:" : "Result:", task.result);
  else if (task.status === "queued" || task.status === "running") {
    lines.push(
      "",
      `Still ${task.status}; ask cca_status again later, or cca_activity to see the agents at work.`,
    );
  }
  return lines.join("\n");
}

/** The most recent tasks, newest first, one line each. */
export function formatTaskList(tasks: readonly Task[], now: number): string {
  if (tasks.length === 0) return "No tasks yet. Hand one to the team with cca_task.";
  const newestFirst = [...tasks].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  const shown = newestFirst.slice(0, RECENT_TASKS_SHOWN);
  const lines = shown.map((task) => {
    const parts = [task.id, task.status, task.priority, formatAgo(task.created_at, now)];
    if (task.parent_id) parts.push(`subtask of ${task.parent_id}`);
    const usage = teamUsage(task);
    if (usage.cost_usd > 0) parts.push(formatCost(usage.cost_usd));
    return `- ${parts.join(" · ")}: ${clip(task.description, DESCRIPTION_PREVIEW_CHARS)}`;
  });
  const header = `Recent tasks (${shown.length} of ${tasks.length}, newest first):`;
  return [header, ...lines, "", "cca_status with a task_id shows one task in full."].join("\n");
}

/** What each agent is doing, then the latest events. */
export function formatActivity(view: ActivityView, now: number): string {
  const lines: string[] = [];
  if (view.agents.length === 0) lines.push("No agents yet: the daemon starts them when a task arrives.");
  else lines.push(`Agents (${view.agents.length}):`);
  for (const agent of view.agents) {
    const parts = [`${agent.role} ${agent.id}: ${agent.state}`];
    if (agent.current_task_id) parts.push(`task ${agent.current_task_id}`);
    if (agent.last_tool) parts.push(`last tool ${formatToolUse(agent.last_tool, now)}`);
    parts.push(formatTokens(agent.usage), formatCost(agent.usage.cost_usd));
    lines.push(`- ${parts.join(" · ")}`);
  }
  const recent = view.recent.slice(-RECENT_EVENTS_SHOWN);
  if (recent.length > 0) {
    lines.push("", "Recent events (oldest first):");
    for (const event of recent) lines.push(`- ${formatEventLine(event, now)}`);
  }
  return lines.join("\n");
}

/** The team's agents, one line each. */
export function formatAgents(agents: readonly Agent[], now: number): string {
  if (agents.length === 0) return "No agents yet: the daemon starts them when a task arrives.";
  const lines = agents.map((agent) => {
    const parts = [`${agent.id} (${agent.role})`, agent.state];
    if (agent.current_task_id) parts.push(`task ${agent.current_task_id}`);
    parts.push(
      `${agent.tasks_completed} ${agent.tasks_completed === 1 ? "task" : "tasks"} done`,
      formatTokens(agent.usage),
      formatCost(agent.usage.cost_usd),
    );
    parts.push(`active ${formatAgo(agent.last_activity_at, now)}`);
    if (agent.last_error) parts.push(`last error [${agent.last_error.code}]: ${agent.last_error.message}`);
    return `- ${parts.join(" · ")}`;
  });
  return [`Agents (${agents.length}):`, ...lines].join("\n");
}

/** `12s ago task_1: coordinator: running Bash: npm test` (the daemon's summaries name the agent). */
export function formatEventLine(event: ActivityEvent, now: number): string {
  const where = event.task_id ? ` ${event.task_id}:` : "";
  return `${formatAgo(event.at, now)}${where} ${event.summary}`;
}

function formatToolUse(tool: ToolUseSummary, now: number): string {
  return `${tool.summary || tool.name} (${formatAgo(tool.at, now)})`;
}

function clip(text: string, limit: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
