import { describe, expect, it } from "vitest";
import { isTaskBranch, partBranchName, taskBranchName } from "./branch-names.js";

describe("branch names", () => {
  it("names the task's branch cca/<task id> and part branches outside it", () => {
    expect(taskBranchName("task_1")).toBe("cca/task_1");
    expect(partBranchName("task_1", "part_2")).toBe("cca-parts/task_1/part_2");
  });

  it("tells task branches from others", () => {
    expect(isTaskBranch("cca/task_1")).toBe(true);
    expect(isTaskBranch("cca-parts/task_1/part_2")).toBe(false);
    expect(isTaskBranch("main")).toBe(false);
  });

  it("refuses ids that git or a folder could not take", () => {
    for (const id of ["", "a b", "../x", "a/b", "x.lock", "-x", "a..b", "x."]) {
      expect(() => taskBranchName(id), id).toThrow(expect.objectContaining({ code: "invalid_name" }));
    }
  });
});
