import { formatAge, type MemoryItem, type MemorySearchResponse, type MemoryStats } from "@cca/core";
import { renderTable } from "./layout/table.js";
import type { RenderOptions } from "./render.js";

/** A success rate as a percentage, or `-` before any outcome. */
const successRate = (item: MemoryItem) => {
  const outcomes = item.successes + item.failures;
  return outcomes === 0 ? "-" : `${Math.round((100 * item.successes) / outcomes)}%`;
};

/** `cca memory search`: one line per hit, best first, and which embedding provider ranked them. */
export function renderMemoryHits(response: MemorySearchResponse, options: RenderOptions): string {
  const model = `embeddings: ${response.embedding_model}`;
  if (response.hits.length === 0)
    return `No memory item fits (nothing reaches the similarity threshold; ${model}).`;
  const rows = response.hits.map(({ item, score, similarity }) => [
    // In full: `cca memory show` takes the whole id.
    item.id,
    item.kind,
    score.toFixed(2),
    similarity.toFixed(2),
    String(item.uses),
    successRate(item),
    item.title,
  ]);
  return [
    renderTable(["ID", "KIND", "SCORE", "SIMILARITY", "USES", "SUCCESS", "TITLE"], rows, options.width),
    "",
    `${model}; cca memory show <id> prints one`,
  ].join("\n");
}

/** `cca memory show`: one item in full. */
export function renderMemoryItem(item: MemoryItem, options: RenderOptions): string {
  const now = options.now.getTime();
  return [
    `${item.id}  ${item.kind}  ${item.title}`,
    ...(item.description ? [item.description] : []),
    "",
    item.content,
    "",
    `project: ${item.project ?? "(global)"}`,
    `confidence ${item.confidence.toFixed(2)}; used ${item.uses} times, ${item.successes} succeeded, ${item.failures} failed (${successRate(item)})`,
    `created ${formatAge(item.created_at, now)} ago${item.last_used_at ? `, last used ${formatAge(item.last_used_at, now)} ago` : ", never used"}`,
    `from tasks: ${item.source_task_ids.length > 0 ? item.source_task_ids.join(", ") : "(stored by hand)"}`,
    `embedding: ${item.embedding_model}, ${item.embedding_dim} dimensions`,
  ].join("\n");
}

/** `cca memory stats`: the bank's size, whether hints help, and each item's record. */
export function renderMemoryStats(stats: MemoryStats, options: RenderOptions): string {
  const rate = (group: MemoryStats["tasks_with_hints"]) =>
    group.success_rate === null
      ? "no ended tasks"
      : `${Math.round(100 * group.success_rate)}% succeeded (${group.completed} of ${group.completed + group.failed})`;
  const kinds = Object.entries(stats.by_kind)
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`)
    .join(", ");
  const header = [
    `${stats.items} item${stats.items === 1 ? "" : "s"}${kinds ? ` (${kinds})` : ""}; embeddings: ${stats.embedding_model}`,
    `tasks with hints: ${rate(stats.tasks_with_hints)}; without: ${rate(stats.tasks_without_hints)}`,
  ];
  if (stats.top_items.length === 0) return header.join("\n");
  const rows = stats.top_items.map((item) => [
    item.id,
    item.kind,
    String(item.uses),
    successRate(item),
    item.confidence.toFixed(2),
    item.title,
  ]);
  return [
    ...header,
    "",
    renderTable(["ID", "KIND", "USES", "SUCCESS", "CONFIDENCE", "TITLE"], rows, options.width),
  ].join("\n");
}
