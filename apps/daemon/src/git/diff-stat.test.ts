import { describe, expect, it } from "vitest";
import { diffStat, parseRawNumstat } from "./diff-stat.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

describe("diffStat", () => {
  it("reports added, modified, deleted, renamed and binary files with their line counts", async () => {
    const lines = Array.from({ length: 30 }, (_, index) => `line ${index}`).join("\n");
    const repository = scratch({
      "a.txt": `${lines}\n`,
      "b.txt": "b\n",
      "c.txt": "c\n",
      "blob.bin": "\u0000\u0001",
    });
    const base = repository.run(["rev-parse", "HEAD"]);
    repository.run(["mv", "a.txt", "moved.txt"]);
    repository.write("moved.txt", `${lines}\nline 30\n`);
    repository.run(["rm", "-q", "b.txt"]);
    repository.write("c.txt", "c\nc2\nc3\n");
    repository.write("blob.bin", "\u0000\u0002");
    repository.write("new dir/new file.txt", "one\ntwo\n");
    const head = repository.commitAll("Change");

    const stat = await diffStat(repository.git, repository.root, base, head);

    expect(stat.files).toEqual([
      { path: "b.txt", kind: "deleted", insertions: 0, deletions: 1, binary: false },
      { path: "blob.bin", kind: "modified", insertions: 0, deletions: 0, binary: true },
      { path: "c.txt", kind: "modified", insertions: 2, deletions: 0, binary: false },
      { path: "moved.txt", fromPath: "a.txt", kind: "renamed", insertions: 1, deletions: 0, binary: false },
      { path: "new dir/new file.txt", kind: "added", insertions: 2, deletions: 0, binary: false },
    ]);
    expect([stat.insertions, stat.deletions]).toEqual([5, 1]);
  });
});

describe("parseRawNumstat", () => {
  it("reads nothing from empty output", () => {
    expect(parseRawNumstat("")).toEqual({ files: [], insertions: 0, deletions: 0 });
  });
});
