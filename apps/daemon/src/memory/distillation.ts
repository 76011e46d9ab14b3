import { MEMORY_LIMITS, type MemoryKind, type TaskTree } from "@cca/core";
import { z } from "zod";

/** The most items one task gives the bank (the paper's setting). */
export const MAX_DISTILLED_ITEMS = 3;

/** How much of a task's description, result or error, and of each part's, the distiller reads. */
const QUOTE = { task: 2_000, result: 3_000, part: 300, parts: 8 } as const;

/** The distiller's whole system prompt: it replaces Claude Code's, so the turn stays small. */
export const DISTILLER_SYSTEM_PROMPT = `You are the ReasoningBank distiller of CCA, a team of Claude Code agents.
You read one finished task and write down what a later, similar task should know: at most ${MAX_DISTILLED_ITEMS} lessons, none when nothing is worth keeping.
Each lesson has a title (one imperative line), a description (when it applies) and content (what to do or avoid, and why, in a few sentences).
A lesson must be general enough to fit other tasks like this one and specific enough to act on; never restate the task or its answer.
Answer only by calling the StructuredOutput tool.`;

/** What the distiller is asked to write, and whether it also judges a completed task. */
export interface DistillationRequest {
  tree: TaskTree;
  /** `memory.judge = "llm"`: the distiller first says whether a completed task really succeeded. */
  judge: boolean;
}

/** A lesson as the distiller gives it; its kind follows from the outcome. */
export interface DistilledItem {
  title: string;
  description: string;
  content: string;
}

export interface Distillation {
  /** The judge's verdict on a completed task; null when it was not asked (or gave none). */
  verdict: { success: boolean; reason: string } | null;
  items: DistilledItem[];
  /** Lessons the distiller gave that did not fit (empty, too long, more than the limit). */
  dropped: number;
}

const quote = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const firstLine = (text: string) => text.trim().split("\n", 1)[0] ?? "";

/** Whether the judge is asked: only a completed task can turn out to have failed. */
export const asksVerdict = (request: DistillationRequest) =>
  request.judge && request.tree.status === "completed";

/** The kind of lesson an outcome gives: strategies from a success, guardrails from a failure. */
export const kindFor = (success: boolean): MemoryKind => (success ? "strategy" : "guardrail");

/** The user turn: the task, how it ended, what each part did, and what to write. */
export function distillationPrompt(request: DistillationRequest): string {
  const { tree } = request;
  const ending =
    tree.status === "completed"
      ? `Result:\n${quote(tree.result ?? "", QUOTE.result)}`
      : `It failed: ${tree.error?.code ?? "unknown"}: ${quote(tree.error?.message ?? "", QUOTE.result)}`;
  const parts = tree.subtasks.slice(0, QUOTE.parts).map((part) => {
    const answer = part.status === "completed" ? (part.result ?? "") : (part.error?.message ?? part.status);
    return `- (${part.status}) ${quote(firstLine(part.description), QUOTE.part)} -> ${quote(firstLine(answer), QUOTE.part)}`;
  });
  const ask = asksVerdict(request)
    ? "First judge whether the result really accomplishes the task (verdict). Then write lessons: strategies that made it work if it succeeded, guardrails naming what went wrong and how to avoid it if not."
    : tree.status === "completed"
      ? "Write strategies: what made it work."
      : "Write guardrails: what went wrong, and how a later task avoids it.";
  return [
    `Task (${tree.status}):\n${quote(tree.description, QUOTE.task)}`,
    ending,
    ...(parts.length > 0 ? [`Parts the team did:\n${parts.join("\n")}`] : []),
    ask,
  ].join("\n\n");
}

/** The JSON schema Claude Code enforces on the answer (`--json-schema`). */
export function distillationSchema(request: DistillationRequest): Record<string, unknown> {
  const item = {
    type: "object",
    properties: {
      title: { type: "string", maxLength: MEMORY_LIMITS.title },
      description: { type: "string", maxLength: MEMORY_LIMITS.description },
      content: { type: "string", maxLength: MEMORY_LIMITS.content },
    },
    required: ["title", "description", "content"],
  };
  const verdict = {
    type: "object",
    properties: { success: { type: "boolean" }, reason: { type: "string" } },
    required: ["success", "reason"],
  };
  return asksVerdict(request)
    ? {
        type: "object",
        properties: { verdict, items: { type: "array", maxItems: MAX_DISTILLED_ITEMS, items: item } },
        required: ["verdict", "items"],
      }
    : {
        type: "object",
        properties: { items: { type: "array", maxItems: MAX_DISTILLED_ITEMS, items: item } },
        required: ["items"],
      };
}

const ItemSchema = z.object({
  title: z.string().transform(firstLine).pipe(z.string().min(1).max(MEMORY_LIMITS.title)),
  description: z.string().trim().max(MEMORY_LIMITS.description).default(""),
  content: z.string().trim().min(1).max(MEMORY_LIMITS.content),
});
const AnswerSchema = z.object({
  verdict: z.object({ success: z.boolean(), reason: z.string().default("") }).nullish(),
  items: z.array(z.unknown()),
});

/**
 * Reads the distiller's structured answer: the verdict (when one was asked), and the
 * lessons that fit, at most MAX_DISTILLED_ITEMS; a lesson that does not fit is dropped
 * alone. Throws when the answer is not an object with `items` (the model ignored the schema).
 */
export function parseDistillation(answer: unknown, request: DistillationRequest): Distillation {
  const parsed = AnswerSchema.safeParse(answer);
  if (!parsed.success) {
    throw new Error(`the distiller's answer does not fit its schema: ${z.prettifyError(parsed.error)}`);
  }
  const items = parsed.data.items.flatMap((raw) => {
    const item = ItemSchema.safeParse(raw);
    return item.success ? [item.data] : [];
  });
  const kept = items.slice(0, MAX_DISTILLED_ITEMS);
  return {
    verdict: asksVerdict(request) ? (parsed.data.verdict ?? null) : null,
    items: kept,
    dropped: parsed.data.items.length - kept.length,
  };
}
