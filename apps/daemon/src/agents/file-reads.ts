import { isAbsolute, relative } from "node:path";
import type { Agent, Logger } from "@cca/core";
import type { ContextRead, ContextReadRepository } from "@cca/memory";

/** The tool whose results are files an agent read. */
const READ_TOOL = "Read";

/**
 * Notes the files an agent reads during a turn of a task (Claude Code's Read tool) and how
 * much each sent it, for the redundancy report. A path inside the agent's folder is kept
 * relative to it, so the same file in two agents' worktrees is one file. A failure to
 * record costs the turn nothing.
 */
export function fileReads(options: {
  record: Agent;
  taskId: string;
  reads: Pick<ContextReadRepository, "record">;
  logger: Logger;
}): {
  onToolUse(name: string, input: Record<string, unknown>, id: string): void;
  onToolResult(isError: boolean, content: string, toolUseId: string): void;
} {
  const { record, taskId, reads, logger } = options;
  const pending = new Map<string, string>();
  return {
    onToolUse(name, input, id) {
      if (name === READ_TOOL && typeof input.file_path === "string") pending.set(id, input.file_path);
    },
    onToolResult(isError, content, toolUseId) {
      const path = pending.get(toolUseId);
      pending.delete(toolUseId);
      if (path === undefined || isError) return;
      const read: ContextRead = {
        taskId,
        agentId: record.id,
        role: record.role,
        path: inFolder(record.working_dir, path),
        chars: content.length,
      };
      reads
        .record(read)
        .catch((error: unknown) =>
          logger.warn("could not record a file an agent read", { agent: record.id, error: String(error) }),
        );
    },
  };
}

/** `path` relative to `folder` when it is inside it, else as it is. */
function inFolder(folder: string, path: string): string {
  const inside = relative(folder, path);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
}
