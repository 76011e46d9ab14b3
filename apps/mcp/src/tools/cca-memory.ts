import type { MemoryHit, MemorySearchResponse } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_MEMORY_TOOL = "cca_memory";

const DESCRIPTION =
  "Search CCA's memory (ReasoningBank): lessons from earlier tasks of this project and global ones, best first.";

const inputSchema = {
  query: z
    .string({ error: "query is required: words describing the task" })
    .trim()
    .min(1, "query must not be empty: give words describing the task")
    .describe("Words describing the task or problem."),
  limit: z.number().int().min(1).max(20).optional().describe("Most lessons to return; default 3."),
};

/** Registers `cca_memory`: the lessons that fit a query, for the Command Center's project. */
export function registerCcaMemoryTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_MEMORY_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } },
    async ({ query, limit }) => {
      try {
        const response = await context.client.searchMemory(query, {
          limit: limit ?? 3,
          ...(context.projectDir ? { projectDir: context.projectDir } : {}),
        });
        return textResult(formatMemoryHits(response));
      } catch (error) {
        return daemonErrorResult("Could not search the memory", error);
      }
    },
  );
}

/** The hits as the Command Center reads them: kind, title, content, and how well each fared. */
export function formatMemoryHits(response: MemorySearchResponse): string {
  const model = `(embeddings: ${response.embedding_model})`;
  if (response.hits.length === 0) return `No lesson in memory fits this ${model}.`;
  return [...response.hits.map(formatHit), model].join("\n\n");
}

function formatHit({ item, score, similarity }: MemoryHit, index: number): string {
  const outcomes = item.successes + item.failures;
  const record =
    outcomes === 0
      ? `used ${item.uses}×`
      : `used ${item.uses}×, ${Math.round((100 * item.successes) / outcomes)}% of its tasks succeeded`;
  return [
    `${index + 1}. [${item.kind}] ${item.title} (${item.id}; score ${score.toFixed(2)}, similarity ${similarity.toFixed(2)}, ${record})`,
    item.content,
  ].join("\n");
}
