import type { DaemonClient } from "@cca/core";
import { UsageError } from "./exit-codes.js";

/** How many tasks, newest first, a task id prefix is looked for among (the daemon's largest page). */
const TASK_SEARCH_LIMIT = 1000;
/** How many candidates an ambiguous prefix's message names. */
const CANDIDATES_SHOWN = 5;
/** A whole id as the daemon makes them (`newId`): its kind, `_`, 20 hex digits. */
const WHOLE_ID = /_[0-9a-f]{20}$/;

/** What kind of id is looked for, for the messages. */
interface IdKind {
  noun: string;
}

const KINDS = {
  task: { noun: "task" },
  agent: { noun: "agent" },
  approval: { noun: "pending approval" },
  rule: { noun: "approval rule" },
} as const satisfies Record<string, IdKind>;

/**
 * The one id among `candidates` that `prefix` names: the id itself, or the only one starting
 * with it. An ambiguous prefix is a usage error naming the candidates; `undefined` when none
 * starts with it.
 */
export function matchIdPrefix(
  prefix: string,
  candidates: readonly string[],
  kind: IdKind,
): string | undefined {
  if (candidates.includes(prefix)) return prefix;
  const matches = [...new Set(candidates.filter((id) => id.startsWith(prefix)))];
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) return undefined;
  const named = matches.slice(0, CANDIDATES_SHOWN).join(", ");
  const more = matches.length > CANDIDATES_SHOWN ? ` and ${matches.length - CANDIDATES_SHOWN} more` : "";
  throw new UsageError(
    `"${prefix}" could be any of ${matches.length} ${kind.noun} ids: ${named}${more}. Give more of the id.`,
  );
}

/** Turns the ids (or unique prefixes of them) given on the command line into whole ids, asking the daemon. */
export interface IdResolver {
  task(prefix: string): Promise<string>;
  agent(prefix: string): Promise<string>;
  approval(prefix: string): Promise<string>;
  rule(prefix: string): Promise<string>;
}

/**
 * Resolves id prefixes against the daemon's lists: tasks (the newest 1000), agents, pending
 * approvals, rules. A whole id is taken as it is, without asking. A prefix no listed id starts
 * with goes to the daemon as it is: it may know the id (an older task, an answered approval),
 * and otherwise answers not found, naming the command that lists them.
 * @example
 * const id = await createIdResolver(client).task("task_db82"); // "task_db824452b2874203bd4b"
 */
export function createIdResolver(client: DaemonClient): IdResolver {
  const resolve = async (prefix: string, kind: IdKind, list: () => Promise<{ id: string }[]>) => {
    if (WHOLE_ID.test(prefix)) return prefix;
    const ids = (await list()).map((item) => item.id);
    return matchIdPrefix(prefix, ids, kind) ?? prefix;
  };
  return {
    task: (prefix) => resolve(prefix, KINDS.task, () => client.listTasks({ limit: TASK_SEARCH_LIMIT })),
    agent: (prefix) => resolve(prefix, KINDS.agent, () => client.listAgents()),
    approval: (prefix) => resolve(prefix, KINDS.approval, () => client.listApprovals()),
    rule: (prefix) => resolve(prefix, KINDS.rule, () => client.listApprovalRules()),
  };
}
