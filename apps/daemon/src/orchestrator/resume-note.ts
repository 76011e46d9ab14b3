import { isTerminalStatus, type Task } from "@cca/core";
import { oneLine } from "../activity/one-line.js";
import { partDeadline } from "./part-brief.js";
import type { TaskRecords } from "./task-records.js";

/** How much of each part's result the note repeats. */
const RESULT_LIMIT = 2_000;

export const CUT_SHORT_NOTE =
  "(CCA: your earlier work on this task was cut short: the daemon running it stopped, or could not record its end. Parts of it may be done already: check where things stand, then finish it.)";

/** What a task resumed after a pause for its budget is told, with its answer from before. */
export function afterPauseNote(task: Task): string {
  const answer = task.result?.trim() ?? "";
  const before = answer ? `\n\nYour answer when it paused:\n${clip(answer)}` : "";
  return `(CCA: this task was paused because a token budget ran out, and a person has resumed it. The parts that had not run have run now; finish the task from where it stands, without redoing what is done.)${before}`;
}

/**
 * What a resumed agent is told: why it resumes (`header`: its turn was cut short, or it
 * was paused), and how each part it had delegated ended, so it does not delegate again
 * what is done. Parts still running (on another daemon, resumed here, or put back in line
 * by a resume) are waited for first, each until its deadline.
 */
export async function resumeNote(
  task: Task,
  deps: {
    records: TaskRecords;
    defaultTimeoutMs: number;
    waitForEnd: (id: string, timeoutMs: number) => Promise<unknown>;
  },
  header = CUT_SHORT_NOTE,
): Promise<string> {
  const { records } = deps;
  const children = await records.repository.children(task.id);
  await Promise.all(
    children
      .filter((child) => !isTerminalStatus(child.status))
      .map(async (child) => {
        const brief = (await records.repository.runState(child.id))?.brief;
        if (!brief) return;
        const left = partDeadline(child, brief, deps.defaultTimeoutMs) - Date.now();
        await deps.waitForEnd(child.id, Math.max(0, left));
      }),
  );
  const parts = await records.repository.children(task.id);
  if (parts.length === 0) return header;
  return `${header}\n\nThe parts you delegated before, and how they ended:\n${parts.map(describePart).join("\n")}`;
}

function describePart(part: Task): string {
  const head = `- [${part.status}] ${oneLine(part.description, 200)}`;
  if (part.status === "completed") return `${head}\n  Result: ${clip(part.result ?? "")}`;
  if (part.error) return `${head}\n  ${part.error.code}: ${part.error.message}`;
  return head;
}

function clip(text: string): string {
  return text.length <= RESULT_LIMIT ? text : `${text.slice(0, RESULT_LIMIT)}… (cut)`;
}
