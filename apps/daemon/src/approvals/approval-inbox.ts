import {
  type Agent,
  type AnswerApprovalRequest,
  type Approval,
  type ApprovalRule,
  CcaError,
  type Clock,
  describeToolUse,
  type EventBus,
  isoTime,
  type Logger,
  newId,
  noopLogger,
  type PendingApproval,
  type PermissionDecision,
  publishOn,
  ruleFor,
  ruleMatches,
  subscribeTo,
  systemClock,
} from "@cca/core";
import type { ApprovalRepository } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import { ApprovalAnsweredChannel } from "../bus-channels.js";
import { TaskWaiters } from "../orchestrator/task-waiters.js";

/** How often a waiting approval looks at the database, in case the bus lost the answer. */
const DEFAULT_POLL_MS = 1_000;

/** A tool use an agent's Claude Code asks about (`--permission-prompt-tool`). */
export interface ToolUseQuestion {
  tool_name: string;
  input: Record<string, unknown>;
  tool_use_id?: string;
}

export interface ApprovalInboxOptions {
  repository: ApprovalRepository;
  /** The daemon's agents: who asks, and their state while they wait. */
  agents: { get(id: string): Agent; setWaitingInput(id: string, waiting: boolean): void };
  /** The top-level task a task belongs to (itself for a top-level one); null when unknown. */
  rootOf: (taskId: string) => Promise<string | null>;
  /** Answers given on other daemons arrive here. */
  bus: EventBus;
  activity: ActivityLog;
  /** `agents.approval_timeout_s` in ms: an approval nobody answers becomes a denial after it. */
  timeoutMs: number;
  /** This daemon's name, stored with the approvals its agents wait for. */
  daemonName: string;
  /** How often a waiting approval looks at the database (default 1 s). */
  pollMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The approval inbox: a tool use that an agent's role does not pre-allow waits here, as a
 * stored approval, until someone allows or denies it (on any daemon of the database),
 * nobody does in time (a denial that says so), or the agent stops waiting. A remembered
 * rule answers at once. While an agent waits, its state is `waiting_input`.
 * @example
 * const decision = await inbox.request(agent.id, { tool_name: "Bash", input: { command: "npm i" } }, signal);
 * await inbox.answer(approvalId, { allow: true, remember: "role" }); // from HTTP, on any daemon
 */
export class ApprovalInbox {
  readonly #options: ApprovalInboxOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #waiters = new TaskWaiters();
  /** How many approvals each agent waits for (Claude Code may ask about parallel tool uses at once). */
  readonly #waitingBy = new Map<string, number>();
  #subscription: Promise<() => Promise<void>> | null = null;

  constructor(options: ApprovalInboxOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
  }

  /**
   * Asks for a person's approval of the agent's tool use and resolves with Claude Code's
   * answer: allow (with the input as asked) or deny (with the answer's message, or why
   * there was none). Never waits past `agents.approval_timeout_s`. Aborting `signal`
   * withdraws the approval (it is marked cancelled) and resolves with a denial.
   */
  async request(
    agentId: string,
    question: ToolUseQuestion,
    signal?: AbortSignal,
  ): Promise<PermissionDecision> {
    const agent = this.#options.agents.get(agentId);
    const allow: PermissionDecision = { behavior: "allow", updatedInput: question.input };
    const summary = describeToolUse(question.tool_name, question.input);
    const use = {
      role: agent.role,
      project: agent.project,
      tool_name: question.tool_name,
      input: question.input,
    };
    const rules = await this.#options.repository.listRules({
      role: agent.role,
      toolName: question.tool_name,
    });
    const rule = rules.find((candidate) => ruleMatches(candidate, use));
    if (rule) {
      this.#options.activity.record("approval.answered", {
        agent_id: agent.id,
        task_id: agent.current_task_id,
        summary: `${agent.role} may ${summary}: allowed by remembered rule ${rule.id}`,
      });
      return allow;
    }

    await this.#subscribe();
    const now = this.#clock.now();
    const approval: Approval = {
      id: newId("approval"),
      agent_id: agent.id,
      role: agent.role,
      project: agent.project,
      task_id: agent.current_task_id,
      root_task_id: agent.current_task_id ? await this.#options.rootOf(agent.current_task_id) : null,
      tool_name: question.tool_name,
      input: question.input,
      summary,
      status: "pending",
      message: null,
      remember: null,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + this.#options.timeoutMs).toISOString(),
      answered_at: null,
    };
    await this.#options.repository.insert(approval, this.#options.daemonName);
    this.#setWaiting(agent.id, +1);
    try {
      this.#options.activity.record("approval.requested", {
        agent_id: agent.id,
        task_id: agent.current_task_id,
        summary: `${agent.role} wants to ${summary}: waiting for your approval (cca approve ${approval.id})`,
      });
      const settled = await this.#waitForSettlement(approval, signal);
      return this.#decision(settled, allow);
    } finally {
      this.#setWaiting(agent.id, -1);
    }
  }

  /**
   * Answers a pending approval, on whichever daemon its agent runs; with `remember`, stores
   * a rule that allows the same tool use again without asking (for the role, or for the
   * role in this project). Throws `approval_not_found`, `approval_answered` (answered,
   * expired or withdrawn already) or `bad_request`.
   */
  async answer(id: string, answer: AnswerApprovalRequest): Promise<Approval> {
    const { repository } = this.#options;
    const approval = await this.#pending(id);
    if (answer.remember && !answer.allow) {
      throw new CcaError(
        "bad_request",
        `remember stores a rule that allows a tool use without asking, so it goes with allow: true only; deny approval ${id} without remember`,
        { details: { approval_id: id } },
      );
    }
    if (answer.remember === "project" && approval.project === null) {
      throw new CcaError(
        "bad_request",
        `Approval ${id} belongs to no project (its task named none), so it cannot be remembered for a project; use remember: "role"`,
        { details: { approval_id: id } },
      );
    }
    const message = answer.message?.trim() || null;
    const settled = await repository.settle(id, {
      status: answer.allow ? "allowed" : "denied",
      message,
      remember: answer.remember ?? null,
      answeredAt: isoTime(this.#clock),
    });
    if (!settled) throw await this.#notPending(id);
    if (answer.remember) {
      await repository.insertRule({
        id: newId("rule"),
        ...ruleFor(settled, answer.remember),
        approval_id: settled.id,
        created_at: isoTime(this.#clock),
      });
    }
    this.#waiters.wake(id);
    await publishOn(this.#options.bus, ApprovalAnsweredChannel, { answered: id }).catch((error: unknown) =>
      this.#logger.warn("could not announce an answered approval; its daemon will find it in the database", {
        approval: id,
        error: String(error),
      }),
    );
    const verdict = answer.allow ? "allowed" : "denied";
    this.#options.activity.record("approval.answered", {
      agent_id: settled.agent_id,
      task_id: settled.task_id,
      summary: `${settled.role} may${answer.allow ? "" : " not"} ${settled.summary}: ${verdict}${message ? ` (${message})` : ""}${answer.remember ? `, remembered for the ${answer.remember}` : ""}`,
    });
    return settled;
  }

  /** The approvals waiting for an answer, oldest first; with `rootTaskId`, those of one top-level task. */
  async listPending(options: { rootTaskId?: string } = {}): Promise<PendingApproval[]> {
    const now = this.#clock.now();
    const pending = await this.#options.repository.listPending({ now: new Date(now), ...options });
    return pending.map((approval) => ({
      ...approval,
      age_s: Math.max(0, Math.round((now - Date.parse(approval.created_at)) / 1000)),
    }));
  }

  /** One approval, pending or settled; throws `approval_not_found`. */
  async get(id: string): Promise<Approval> {
    const approval = await this.#options.repository.find(id);
    if (!approval) throw notFound(id);
    return approval;
  }

  /** The remembered rules, newest first. */
  listRules(): Promise<ApprovalRule[]> {
    return this.#options.repository.listRules();
  }

  /** Removes a remembered rule; throws `not_found` naming how to list them. */
  async deleteRule(id: string): Promise<ApprovalRule> {
    const rule = await this.#options.repository.deleteRule(id);
    if (rule) return rule;
    throw new CcaError(
      "not_found",
      `No approval rule with id "${id}"; list them with GET /api/v1/approvals/rules (cca approvals rules)`,
      { details: { rule_id: id } },
    );
  }

  /** Stops listening for answers from other daemons. */
  async close(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = null;
    await (await subscription?.catch(() => null))?.();
  }

  /** Waits until the approval is settled: by an answer, its deadline (expired), or `signal` (cancelled). */
  async #waitForSettlement(approval: Approval, signal: AbortSignal | undefined): Promise<Approval> {
    const { repository } = this.#options;
    const deadline = Date.parse(approval.expires_at);
    const pollMs = this.#options.pollMs ?? DEFAULT_POLL_MS;
    for (;;) {
      const current = await repository.find(approval.id);
      if (!current) throw new CcaError("internal", `Approval ${approval.id} vanished from the database`);
      if (current.status !== "pending") return current;
      const remaining = deadline - this.#clock.now();
      const ending = remaining <= 0 ? "expired" : signal?.aborted ? "cancelled" : null;
      if (ending) {
        const seconds = Math.round(this.#options.timeoutMs / 1000);
        const settled = await repository.settle(approval.id, {
          status: ending,
          message:
            ending === "expired"
              ? `Nobody answered approval ${approval.id} (to ${approval.summary}) within ${seconds} s (agents.approval_timeout_s), so it is denied. Carry on without it, or say in your answer that it needs the user's approval.`
              : "The agent stopped waiting for this approval (its turn ended or was interrupted).",
          answeredAt: isoTime(this.#clock),
        });
        // An answer may have come in between; then it stands.
        if (settled) {
          if (ending === "expired") {
            this.#options.activity.record("approval.answered", {
              agent_id: approval.agent_id,
              task_id: approval.task_id,
              summary: `${approval.role} may not ${approval.summary}: nobody answered within ${seconds} s`,
            });
          }
          return settled;
        }
        continue;
      }
      await this.#waiters.wait(approval.id, Math.min(pollMs, remaining), signal);
    }
  }

  #decision(settled: Approval, allow: PermissionDecision): PermissionDecision {
    if (settled.status === "allowed") return allow;
    if (settled.status === "denied") {
      return {
        behavior: "deny",
        message: settled.message
          ? `Denied by the user: ${settled.message}`
          : "Denied by the user (no reason given). Do not try it again; find another way, or say in your answer what you needed.",
      };
    }
    return { behavior: "deny", message: settled.message ?? `Approval ${settled.id} ended ${settled.status}` };
  }

  async #pending(id: string): Promise<Approval> {
    const approval = await this.#options.repository.find(id);
    if (!approval) throw notFound(id);
    if (approval.status !== "pending" || Date.parse(approval.expires_at) <= this.#clock.now())
      throw await this.#notPending(id);
    return approval;
  }

  async #notPending(id: string): Promise<CcaError> {
    const approval = await this.#options.repository.find(id);
    if (!approval) return notFound(id);
    const how =
      approval.status === "pending" || approval.status === "expired"
        ? `expired at ${approval.expires_at} (agents.approval_timeout_s), and the agent was told it is denied`
        : approval.status === "cancelled"
          ? "withdrawn: the agent stopped waiting for it"
          : `answered already (${approval.status} at ${approval.answered_at})`;
    return new CcaError(
      "approval_answered",
      `Approval ${id} was ${how}; cca approvals lists the pending ones`,
      {
        details: { approval_id: id, status: approval.status },
      },
    );
  }

  #setWaiting(agentId: string, change: 1 | -1): void {
    const count = (this.#waitingBy.get(agentId) ?? 0) + change;
    if (count > 0) this.#waitingBy.set(agentId, count);
    else this.#waitingBy.delete(agentId);
    if (change === 1 && count === 1) this.#options.agents.setWaitingInput(agentId, true);
    if (count === 0) this.#options.agents.setWaitingInput(agentId, false);
  }

  #subscribe(): Promise<unknown> {
    this.#subscription ??= subscribeTo(
      this.#options.bus,
      ApprovalAnsweredChannel,
      ({ answered }) => this.#waiters.wake(answered),
      (problem) => this.#logger.warn("dropped a bus message", { problem }),
    );
    // Without the bus the database poll still finds the answer.
    return this.#subscription.catch((error: unknown) => {
      this.#logger.warn("could not listen for approval answers on the bus; polling the database", {
        error: String(error),
      });
      this.#subscription = null;
    });
  }
}

function notFound(id: string): CcaError {
  return new CcaError(
    "approval_not_found",
    `No approval with id "${id}"; list the pending ones with GET /api/v1/approvals (cca approvals)`,
    { details: { approval_id: id } },
  );
}
