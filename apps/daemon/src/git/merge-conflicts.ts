import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { GitRunner } from "./run-git.js";
import { parsePorcelainStatus } from "./worktree-status.js";

/** How git describes each kind of unmerged path in `git status`. */
const CONFLICT_KINDS: Record<string, string> = {
  UU: "both modified",
  AA: "both added",
  DD: "both deleted",
  AU: "added by us",
  UA: "added by them",
  DU: "deleted by us",
  UD: "deleted by them",
};

/** Bounds on the conflict text handed to the Coordinator. */
export const CONFLICT_LIMITS = {
  /** Lines of context kept before and after each hunk. */
  contextLines: 3,
  /** Longest hunk kept whole; a longer one keeps its first and last halves. */
  hunkLines: 80,
  /** Hunks kept per file. */
  hunksPerFile: 10,
  /** Characters of hunk text kept over all files. */
  totalChars: 32_000,
};

/** One conflicting file: how it conflicts and its conflict hunks, markers and all. */
export interface ConflictFile {
  path: string;
  /** E.g. "both modified", "deleted by them". */
  kind: string;
  /** Each hunk from `<<<<<<<` to `>>>>>>>`, with a little context; none for a binary file or a delete. */
  hunks: string[];
  binary: boolean;
}

/** The conflicts of a merge that could not be made. */
export interface MergeConflict {
  files: ConflictFile[];
  /** True when hunks were trimmed or left out to stay within CONFLICT_LIMITS. */
  truncated: boolean;
}

/** The conflict hunks of one file's text: marker to marker, with context, trimmed to CONFLICT_LIMITS. */
export function conflictHunks(text: string): { hunks: string[]; truncated: boolean } {
  const lines = text.split("\n");
  const hunks: string[] = [];
  let truncated = false;
  for (let index = 0; index < lines.length; index += 1) {
    if (!isMarker(lines[index]!, "<")) continue;
    let end = index + 1;
    while (end < lines.length && !isMarker(lines[end]!, ">")) end += 1;
    if (hunks.length >= CONFLICT_LIMITS.hunksPerFile) {
      truncated = true;
      break;
    }
    const from = Math.max(0, index - CONFLICT_LIMITS.contextLines);
    const to = Math.min(lines.length, end + 1 + CONFLICT_LIMITS.contextLines);
    const hunk = lines.slice(from, to);
    if (hunk.length > CONFLICT_LIMITS.hunkLines) {
      const half = Math.floor(CONFLICT_LIMITS.hunkLines / 2);
      const dropped = hunk.length - 2 * half;
      hunks.push([...hunk.slice(0, half), `[… ${dropped} lines trimmed …]`, ...hunk.slice(-half)].join("\n"));
      truncated = true;
    } else {
      hunks.push(hunk.join("\n"));
    }
    index = end;
  }
  return { hunks, truncated };
}

function isMarker(line: string, kind: "<" | ">"): boolean {
  const marker = kind.repeat(7);
  return line === marker || line.startsWith(`${marker} `);
}

/**
 * The conflicts of the merge stopped in the worktree at `cwd`: its unmerged paths, how each
 * conflicts, and the hunks in each file's text. Call it before aborting the merge.
 */
export async function collectMergeConflicts(git: GitRunner, cwd: string): Promise<MergeConflict> {
  const { stdout } = await git.run(["status", "--porcelain=v1", "-z", "--untracked-files=no"], { cwd });
  const unmerged = parsePorcelainStatus(stdout).filter((entry) => entry.status in CONFLICT_KINDS);
  const files: ConflictFile[] = [];
  let truncated = false;
  let budget = CONFLICT_LIMITS.totalChars;
  for (const entry of unmerged) {
    const file: ConflictFile = {
      path: entry.path,
      kind: CONFLICT_KINDS[entry.status]!,
      hunks: [],
      binary: false,
    };
    files.push(file);
    const content = await readFile(join(cwd, entry.path)).catch(() => undefined);
    if (content === undefined) continue;
    if (content.includes(0)) {
      file.binary = true;
      continue;
    }
    const found = conflictHunks(content.toString("utf8"));
    truncated ||= found.truncated;
    for (const hunk of found.hunks) {
      if (hunk.length > budget) {
        truncated = true;
        break;
      }
      budget -= hunk.length;
      file.hunks.push(hunk);
    }
  }
  return { files, truncated };
}
