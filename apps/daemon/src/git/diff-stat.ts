import type { GitRunner } from "./run-git.js";

/** How a file changed, from git's one-letter status. */
export type FileChangeKind = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed";

const KINDS: Record<string, FileChangeKind> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

/** One changed file with its line counts (zero for a binary file). */
export interface FileChange {
  path: string;
  /** For a rename or copy: the path it came from. */
  fromPath?: string;
  kind: FileChangeKind;
  insertions: number;
  deletions: number;
  binary: boolean;
}

/** A diffstat: the changed files and their totals. */
export interface DiffStat {
  files: FileChange[];
  insertions: number;
  deletions: number;
}

/** Parses the output of `git diff --raw --numstat -z`: raw records first, then numstat records, in the same order. */
export function parseRawNumstat(output: string): DiffStat {
  const fields = output.split("\0");
  const files: FileChange[] = [];
  let counted = 0;
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index]!;
    if (field === "") continue;
    if (field.startsWith(":")) {
      const letter = field.slice(field.lastIndexOf(" ") + 1, field.lastIndexOf(" ") + 2);
      const kind = KINDS[letter] ?? "modified";
      if (kind === "renamed" || kind === "copied") {
        files.push(blank(fields[index + 2]!, kind, fields[index + 1]));
        index += 2;
      } else {
        files.push(blank(fields[index + 1]!, kind));
        index += 1;
      }
      continue;
    }
    const [added = "", deleted = "", path = ""] = field.split("\t");
    if (path === "") index += 2;
    const file = files[counted];
    counted += 1;
    if (file === undefined) continue;
    file.binary = added === "-";
    file.insertions = file.binary ? 0 : Number.parseInt(added, 10) || 0;
    file.deletions = file.binary ? 0 : Number.parseInt(deleted, 10) || 0;
  }
  return {
    files,
    insertions: files.reduce((sum, file) => sum + file.insertions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
  };
}

function blank(path: string, kind: FileChangeKind, fromPath?: string): FileChange {
  const file: FileChange = { path, kind, insertions: 0, deletions: 0, binary: false };
  if (fromPath !== undefined) file.fromPath = fromPath;
  return file;
}

/** The diffstat between two commits (or trees) in the repository at `cwd`, renames detected. */
export async function diffStat(git: GitRunner, cwd: string, from: string, to: string): Promise<DiffStat> {
  const { stdout } = await git.run(["diff", "--raw", "--numstat", "-z", "-M", "--end-of-options", from, to], {
    cwd,
  });
  return parseRawNumstat(stdout);
}
