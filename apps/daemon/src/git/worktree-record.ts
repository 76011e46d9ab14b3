import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** The file, in a worktree's own git directory, where CCA notes what it did to the worktree. */
const RECORD_FILE = "cca-worktree.json";

/**
 * What CCA notes about a worktree it made: the base its current branch started from (so that
 * only commits since then count as the agent's) and the untracked files it copied in (so that
 * they are never committed and do not make the worktree look dirty). It lives in the worktree's
 * own git directory (`.git/worktrees/<name>/`), so it goes when the worktree goes.
 */
export const WorktreeRecordSchema = z.object({
  agentId: z.string(),
  projectSlug: z.string(),
  branch: z.string(),
  /** Full id of the commit the branch was made from. */
  base: z.string(),
  /** Paths, relative to the worktree, copied from the project (`copy_files`). */
  copiedFiles: z.array(z.string()),
});
export type WorktreeRecord = z.infer<typeof WorktreeRecordSchema>;

/** Writes the record of the worktree whose own git directory is `gitDir` (see `gitDirectory`). */
export async function writeWorktreeRecord(gitDir: string, record: WorktreeRecord): Promise<void> {
  await writeFile(join(gitDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of the worktree whose own git directory is `gitDir`; undefined when CCA did not make it (or it is unreadable). */
export async function readWorktreeRecord(gitDir: string): Promise<WorktreeRecord | undefined> {
  try {
    const parsed = WorktreeRecordSchema.safeParse(
      JSON.parse(await readFile(join(gitDir, RECORD_FILE), "utf8")),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
