import { describe, expect, it } from "vitest";
import type { DiffStat, FileChange, TaskChanges } from "./domain/workspace-schemas.js";
import {
  formatApplyResult,
  formatFileChange,
  formatTaskChanges,
  formatWorkspaceNotes,
} from "./format-changes.js";

const file = (
  path: string,
  insertions: number,
  deletions = 0,
  extra: Partial<FileChange> = {},
): FileChange => ({
  path,
  from_path: null,
  kind: "modified",
  insertions,
  deletions,
  binary: false,
  ...extra,
});

const stat = (...files: FileChange[]): DiffStat => ({
  files,
  insertions: files.reduce((sum, one) => sum + one.insertions, 0),
  deletions: files.reduce((sum, one) => sum + one.deletions, 0),
});

const changes = (fields: Partial<TaskChanges>): TaskChanges => ({
  task_id: "task_1",
  branch: "cca/task_1",
  base: "1a2b3c4d5e6f",
  head: "9f8e7d6c5b4a",
  parts: [],
  total: stat(),
  ...fields,
});

describe("formatFileChange", () => {
  it("shows the kind's letter, the path, where a rename came from and the line counts", () => {
    expect(formatFileChange(file("src/new.ts", 2, 1, { kind: "renamed", from_path: "src/old.ts" }))).toBe(
      "R src/new.ts (from src/old.ts) +2 -1",
    );
    expect(formatFileChange(file("logo.png", 0, 0, { kind: "added", binary: true }))).toBe(
      "A logo.png binary",
    );
  });
});

describe("formatTaskChanges", () => {
  it("lists each part with its diffstat and files under the branch's total", () => {
    const backend = stat(file("src/health.ts", 8, 0, { kind: "added" }));
    const qa = stat(file("test/app.test.ts", 1, 1));
    const text = formatTaskChanges(
      changes({
        parts: [
          { part_id: "task_be", branch: "cca-parts/task_1/task_be", merge_commit: "m1", stat: backend },
          { part_id: "task_qa", branch: "cca-parts/task_1/task_qa", merge_commit: "m2", stat: qa },
        ],
        total: stat(...backend.files, ...qa.files),
      }),
      { partLabel: (part) => (part.part_id === "task_be" ? "backend" : "qa") },
    );
    expect(text).toEqual([
      "Changes on cca/task_1 (from 1a2b3c4): 2 files, +9 -1",
      "- backend: 1 file, +8 -0",
      "    A src/health.ts +8 -0",
      "- qa: 1 file, +1 -1",
      "    M test/app.test.ts +1 -1",
    ]);
  });

  it("caps the files listed over all parts and says how many more there are", () => {
    const many = stat(...Array.from({ length: 5 }, (_, index) => file(`src/f${index}.ts`, 1)));
    const other = stat(file("docs/a.md", 1), file("docs/b.md", 1));
    const text = formatTaskChanges(
      changes({
        parts: [
          { part_id: "p1", branch: "b1", merge_commit: "m1", stat: many },
          { part_id: "p2", branch: "b2", merge_commit: "m2", stat: other },
        ],
        total: stat(...many.files, ...other.files),
      }),
      { maxFiles: 3 },
    );
    expect(text).toEqual([
      "Changes on cca/task_1 (from 1a2b3c4): 7 files, +7 -0",
      "- p1: 5 files, +5 -0",
      "    M src/f0.ts +1 -0",
      "    M src/f1.ts +1 -0",
      "    M src/f2.ts +1 -0",
      "    … and 2 more files",
      "- p2: 2 files, +2 -0",
      "    … and 2 more files",
    ]);
  });

  it("lists the branch's files when no part was merged, and says when nothing changed", () => {
    expect(formatTaskChanges(changes({ total: stat(file("README.md", 3)) }))).toEqual([
      "Changes on cca/task_1 (from 1a2b3c4): 1 file, +3 -0",
      "  M README.md +3 -0",
    ]);
    expect(formatTaskChanges(changes({}))).toEqual([
      "Changes on cca/task_1 (from 1a2b3c4): no files changed",
    ]);
  });
});

describe("formatWorkspaceNotes", () => {
  it("says why agents shared the folder and what auto-apply did", () => {
    const workspace = { isolation: "shared" as const, branch: null, base: null, commit: null };
    expect(
      formatWorkspaceNotes({ ...workspace, note: "/srv/site is not a git repository", applied: null }),
    ).toEqual(["Shared folder: /srv/site is not a git repository"]);
    expect(
      formatWorkspaceNotes({
        ...workspace,
        isolation: "worktree",
        note: null,
        applied: "fast-forward of main",
      }),
    ).toEqual(["Applied: fast-forward of main"]);
    expect(formatWorkspaceNotes(null)).toEqual([]);
  });
});

describe("formatApplyResult", () => {
  const applied = {
    task_id: "task_1",
    task_branch: "cca/task_1",
    branch: "main",
    previous_head: "1a2b3c4d5e6f",
    head: "9f8e7d6c5b4a",
    fast_forward: true,
    up_to_date: false,
    changes: stat(file("src/health.ts", 8, 0, { kind: "added" }), file("src/app.ts", 1, 1)),
  };

  it("names the branch applied to, how, and the files", () => {
    expect(formatApplyResult(applied)).toEqual([
      "Applied cca/task_1 to main as a fast-forward (now at 9f8e7d6): 2 files, +9 -1",
      "  A src/health.ts +8 -0",
      "  M src/app.ts +1 -1",
    ]);
    expect(formatApplyResult({ ...applied, fast_forward: false }, { maxFiles: 1 })).toEqual([
      "Applied cca/task_1 to main with the merge commit 9f8e7d6: 2 files, +9 -1",
      "  A src/health.ts +8 -0",
      "  … and 1 more file",
    ]);
  });

  it("says when there was nothing to apply", () => {
    expect(formatApplyResult({ ...applied, up_to_date: true, changes: stat() })).toEqual([
      "Nothing to apply: main already holds cca/task_1 (at 9f8e7d6)",
    ]);
  });
});
