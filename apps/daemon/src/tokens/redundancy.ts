import { estimateTokens, type RedundancyItem, type RedundancyReport, TOKEN_ESTIMATE } from "@cca/core";
import type { ContextRead } from "@cca/memory";

/** A part as the report needs it: what its delegating agent pasted into it, and for which role. */
export interface PartText {
  taskId: string;
  role: string;
  /** Its description and the context it was given. */
  text: string;
}

/** A paragraph shorter than this repeated across parts is not worth reporting. */
const MIN_PARAGRAPH_CHARS = 200;
/** How much of a repeated paragraph the report quotes. */
const QUOTE_CHARS = 80;

/**
 * What several agents of one task tree were sent: a file that more than one agent read
 * (each read's size as it came back), and a paragraph pasted into more than one part's
 * brief. Each item's tokens are estimated from characters and labelled so; the copies after
 * the first are what sharing could have saved. Most tokens first.
 */
export function findRedundancy(
  taskId: string,
  reads: readonly ContextRead[],
  parts: readonly PartText[],
): RedundancyReport {
  const items = [...fileItems(reads), ...contextItems(parts)].sort(
    (a, b) => b.tokens_saveable - a.tokens_saveable || a.what.localeCompare(b.what),
  );
  return {
    task_id: taskId,
    items,
    tokens_saveable: items.reduce((sum, item) => sum + item.tokens_saveable, 0),
    estimate: TOKEN_ESTIMATE,
  };
}

/** Files read by two agents or more; a second read by the same agent is its own business. */
function fileItems(reads: readonly ContextRead[]): RedundancyItem[] {
  const byPath = groupBy(reads, (read) => read.path);
  const items: RedundancyItem[] = [];
  for (const [path, all] of byPath) {
    const firstByAgent = [...groupBy(all, (read) => read.agentId).values()].map(
      (mine) => mine[0] as ContextRead,
    );
    if (firstByAgent.length < 2) continue;
    const tokens = firstByAgent.map((read) => estimateTokens(read.chars));
    const roles = [...new Set(firstByAgent.map((read) => read.role))].join(", ");
    items.push({
      kind: "file",
      what: path,
      recipients: firstByAgent.map((read) => ({
        task_id: read.taskId,
        role: read.role,
        agent_id: read.agentId,
      })),
      tokens_each: Math.max(...tokens),
      tokens_saveable: sum(tokens) - Math.max(...tokens),
      recommendation: `${firstByAgent.length} agents (${roles}) each read ${path}: have one read it and put what the others need in their briefs, or name the lines that matter.`,
    });
  }
  return items;
}

/** Paragraphs of some length pasted into two parts or more. */
function contextItems(parts: readonly PartText[]): RedundancyItem[] {
  const byParagraph = new Map<string, PartText[]>();
  for (const part of parts) {
    for (const paragraph of new Set(paragraphs(part.text))) {
      const into = byParagraph.get(paragraph);
      if (into) into.push(part);
      else byParagraph.set(paragraph, [part]);
    }
  }
  const items: RedundancyItem[] = [];
  for (const [paragraph, into] of byParagraph) {
    if (into.length < 2) continue;
    const tokens = estimateTokens(paragraph.length);
    items.push({
      kind: "context",
      what: paragraph.length > QUOTE_CHARS ? `${paragraph.slice(0, QUOTE_CHARS)}…` : paragraph,
      recipients: into.map((part) => ({ task_id: part.taskId, role: part.role, agent_id: null })),
      tokens_each: tokens,
      tokens_saveable: tokens * (into.length - 1),
      recommendation: `The same ${tokens}-token text went into ${into.length} delegations (${into.map((part) => part.role).join(", ")}): write it once in a file of the project and name that file in each brief.`,
    });
  }
  return items;
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length >= MIN_PARAGRAPH_CHARS);
}

/** Map.groupBy, which Node 20 lacks: the items by key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
