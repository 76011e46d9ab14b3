import {
  formatCost,
  formatGroupedCount,
  type Task,
  type TaskBudget,
  type TokenUsage,
  totalTokens,
} from "@cca/core";

/** A budget in words: `40,000 tokens`, `$2.50`, `40,000 tokens and $2.50`; null: `no budget of its own`. */
export function formatBudget(budget: TaskBudget | null): string {
  if (!budget) return "no budget of its own";
  const parts: string[] = [];
  if (budget.tokens !== undefined) parts.push(`${formatGroupedCount(budget.tokens)} tokens`);
  if (budget.usd !== undefined) parts.push(formatDollars(budget.usd));
  return parts.join(" and ");
}

/**
 * A budget with what the team spent of it, for `cca task status`:
 * `40,000 tokens (38,512 spent, 96%) and $2.50 ($0.4120 spent, 16%)`.
 */
export function formatBudgetUse(budget: TaskBudget, spent: TokenUsage): string {
  const parts: string[] = [];
  if (budget.tokens !== undefined) {
    const tokens = totalTokens(spent);
    parts.push(
      `${formatGroupedCount(budget.tokens)} tokens (${formatGroupedCount(tokens)} spent, ${percent(tokens, budget.tokens)})`,
    );
  }
  if (budget.usd !== undefined) {
    parts.push(
      `${formatDollars(budget.usd)} (${formatCost(spent.cost_usd)} spent, ${percent(spent.cost_usd, budget.usd)})`,
    );
  }
  return parts.join(" and ");
}

/**
 * How a paused task goes on, for under its report: a top-level task by `cca task resume`
 * (another budget of its size, or a new total); a part with its task.
 */
export function resumeHint(task: Task): string {
  if (task.parent_id !== null) {
    return `Task ${task.id} is a part, paused with its task: it resumes when that task does (\`cca task resume <its id>\`; this part's parent is ${task.parent_id}).`;
  }
  const resume = `\`cca task resume ${task.id}\``;
  if (!task.budget) {
    return `Task ${task.id} is paused: resume it with ${resume} once the limit that paused it allows (\`cca task status ${task.id}\` says which).`;
  }
  return `Task ${task.id} is paused: resume it with ${resume} (another ${formatBudget(task.budget)} on top of what it spent) or with \`--tokens N\` / \`--usd X\` (its new budget in all, what it spent included).`;
}

/**
 * The line under a list of tasks some of which are paused: they wait for someone. "" when
 * none is; short enough for 80 columns.
 */
export function pausedTasksNote(tasks: readonly Task[]): string {
  return tasks.some((task) => task.status === "paused")
    ? "Paused tasks: `cca task status <id>` says why, `cca task resume <id>` goes on."
    : "";
}

/** Dollars as a person writes a budget: `$2.50`; a budget finer than cents keeps four places. */
function formatDollars(usd: number): string {
  const cents = usd * 100;
  return `$${usd.toFixed(Math.abs(cents - Math.round(cents)) < 1e-9 ? 2 : 4)}`;
}

/** How much of `whole` is `part`, in whole percent rounded down (0.412 of 0.4 is 103%, not 102.99…). */
function percent(part: number, whole: number): string {
  return `${Math.floor((part / whole) * 100 + 1e-9)}%`;
}
