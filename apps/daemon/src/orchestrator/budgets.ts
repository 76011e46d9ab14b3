import {
  type Clock,
  type Config,
  formatCost,
  formatGroupedCount,
  systemClock,
  type Task,
  type TaskBudget,
} from "@cca/core";
import type { ScopeSpends, Spend, TokenUsageRepository } from "@cca/memory";

export type BudgetLimits = Config["budgets"];

/** The scope whose limit stops a turn: the task's own budget, or a UTC day's (all, its project's, its role's). */
export type BudgetScope = keyof ScopeSpends;

/** Why a turn may not start: which limit it is, and the sentence that says so. */
export interface BudgetExhausted {
  scope: BudgetScope;
  message: string;
}

/** No budget anywhere: every turn may start. */
export const NO_LIMITS: BudgetLimits = {
  task_tokens: 0,
  task_usd: 0,
  day_tokens: 0,
  day_usd: 0,
  project_day_tokens: 0,
  project_day_usd: 0,
  roles: {},
};

/** A limit of tokens and dollars; undefined (or 0 in `[budgets]`): none. */
interface Limit {
  tokens?: number | undefined;
  usd?: number | undefined;
}

/**
 * The spending limits a turn must be under to start: its task's budget (the whole team's,
 * every turn of its tree), and what the UTC day, the task's project and the turn's role may
 * spend (`[budgets]`). They count the turns that have ended, as `token_usage` holds them, on
 * every daemon sharing the database.
 */
export class Budgets {
  readonly #limits: BudgetLimits;
  readonly #tokens: Pick<TokenUsageRepository, "spent"> | undefined;
  readonly #clock: Clock;

  constructor(options: {
    limits: BudgetLimits;
    tokens?: Pick<TokenUsageRepository, "spent">;
    clock?: Clock;
  }) {
    this.#limits = options.limits;
    this.#tokens = options.tokens;
    this.#clock = options.clock ?? systemClock;
  }

  /** A new top-level task's budget: the one it asked for, else `[budgets]`'s task default, else none. */
  forNewTask(requested: TaskBudget | undefined): TaskBudget | null {
    if (requested) return requested;
    const { task_tokens: tokens, task_usd: usd } = this.#limits;
    if (tokens === 0 && usd === 0) return null;
    return { ...(tokens > 0 ? { tokens } : {}), ...(usd > 0 ? { usd } : {}) };
  }

  /** What `root`'s tree and today's scopes have spent, for a turn of `role` on `root`'s project. */
  async spent(root: Task, role: string): Promise<ScopeSpends | null> {
    if (!this.#tokens) return null;
    return this.#tokens.spent({
      rootTaskId: root.id,
      dayStart: new Date(`${new Date(this.#clock.now()).toISOString().slice(0, 10)}T00:00:00.000Z`),
      project: root.project,
      role,
    });
  }

  /**
   * Null when a turn of `role` in task tree `root` may start; else the first limit it would
   * pass. `budget`: the task's budget to judge by (default its stored one).
   */
  async exhausted(root: Task, role: string, budget = root.budget): Promise<BudgetExhausted | null> {
    const limits = this.#limits;
    const anyDaily =
      limits.day_tokens > 0 ||
      limits.day_usd > 0 ||
      limits.project_day_tokens > 0 ||
      limits.project_day_usd > 0 ||
      (limits.roles[role] ?? 0) > 0;
    if (!budget && !anyDaily) return null;
    const spent = await this.spent(root, role);
    if (!spent) return null;
    const checks: [BudgetScope, Limit, (what: string) => string][] = [
      ["task", budget ?? {}, (what) => `The task's budget of ${what} is spent`],
      [
        "day",
        { tokens: limits.day_tokens, usd: limits.day_usd },
        (what) => `Today's budget of ${what} ([budgets] day_*) is spent`,
      ],
      [
        "project",
        root.project === null ? {} : { tokens: limits.project_day_tokens, usd: limits.project_day_usd },
        (what) =>
          `The budget of ${what} a day for project ${root.project} ([budgets] project_day_*) is spent`,
      ],
      [
        "role",
        { tokens: limits.roles[role] },
        (what) => `The ${role} agents' budget of ${what} a day ([budgets.roles] ${role}) is spent`,
      ],
    ];
    for (const [scope, limit, sentence] of checks) {
      const over = overLimit(limit, spent[scope]);
      if (over) return { scope, message: `${sentence(over.limit)} (${over.used} used${scopeTail(scope)})` };
    }
    return null;
  }
}

function overLimit(limit: Limit, spend: Spend): { limit: string; used: string } | null {
  if (limit.tokens && spend.tokens >= limit.tokens) {
    return {
      limit: `${formatGroupedCount(limit.tokens)} tokens`,
      used: `${formatGroupedCount(spend.tokens)} tokens`,
    };
  }
  if (limit.usd && spend.usd >= limit.usd) {
    return { limit: formatCost(limit.usd), used: formatCost(spend.usd) };
  }
  return null;
}

const scopeTail = (scope: BudgetScope) => (scope === "task" ? "" : " since 00:00 UTC");
