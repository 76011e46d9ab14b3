import { type Agent, type Clock, isoTime, type Logger } from "@cca/core";
import type { ContextReadRepository } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import { summarizeToolUse } from "../activity/tool-summary.js";
import { fileReads } from "./file-reads.js";

/** What the agent manager does with a driver's events while a turn of a task runs. */
export interface TurnListener {
  onText?(text: string): void;
  onToolUse?(name: string, input: Record<string, unknown>, id: string): void;
  onToolResult?(isError: boolean, content: string, toolUseId: string): void;
  onApiRetry?(attempt: number | null, error: string | null): void;
}

/**
 * What an agent does during a turn, turned into activity events and kept on its record
 * (`last_tool`, `last_activity_at`), e.g. "backend: running Bash: npm test".
 */
export function turnActivity(options: {
  record: Agent;
  taskId: string;
  activity: ActivityLog;
  clock: Clock;
  logger: Logger;
  /** Where the files it reads are noted (the redundancy report); none: not noted. */
  reads?: Pick<ContextReadRepository, "record">;
}): TurnListener {
  const { record, taskId, activity, clock, logger } = options;
  const read = options.reads ? fileReads({ record, taskId, reads: options.reads, logger }) : undefined;
  const touch = () => {
    record.last_activity_at = isoTime(clock);
  };
  return {
    onToolUse: (name, input, id) => {
      touch();
      read?.onToolUse(name, input, id);
      const summary = summarizeToolUse(name, input);
      record.last_tool = { name, summary, at: record.last_activity_at };
      activity.record("agent.tool_use", {
        agent_id: record.id,
        task_id: taskId,
        summary: `${record.role}: running ${summary}`,
      });
    },
    onText: (text) => {
      touch();
      const line = oneLine(text, 160);
      if (line)
        activity.record("agent.text", {
          agent_id: record.id,
          task_id: taskId,
          summary: `${record.role}: ${line}`,
        });
    },
    onToolResult: (isError, content, toolUseId) => read?.onToolResult(isError, content, toolUseId),
    onApiRetry: (attempt, error) => {
      touch();
      logger.warn("Claude Code is retrying an API call", { agent: record.id, attempt, error });
    },
  };
}
