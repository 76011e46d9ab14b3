import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TaskTree } from "@cca/core";
import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { afterAll, describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { CCA_CLI_BIN } from "../support/paths.js";

const t = useMockAndCcad();
const isRole = (text: string) => (r: RecordedRequest) => r.systemText.includes(text);

/** The folder `cca` runs in, and so the tasks' project (not this repository). */
const PROJECT = mkdtempSync(join(tmpdir(), "cca-cli-e2e-"));
afterAll(() => rmSync(PROJECT, { recursive: true, force: true }));

/** Runs the real `cca` against the test daemon; resolves with its exit code and output. */
async function cca(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CCA_CLI_BIN, ...args], {
      env: t.ccad.clientEnv(),
      cwd: PROJECT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("cca against a real daemon and real Claude Code", () => {
  it("creates a task, waits for it and shows its tree of delegated parts", async () => {
    t.mock.on({
      when: (r) => isRole("You are the Coordinator")(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [{ name: "mcp__cca__cca_delegate", input: { role: "qa", task: "Write the tests" } }],
      },
    });
    t.mock.on({ when: (r) => isRole("You are the Coordinator")(r), reply: replyText("All tested.") });
    t.mock.on({ when: isRole("You are the QA specialist"), reply: replyText("QA: 12 tests written") });

    const created = await cca("task", "create", "Test the parser", "--wait", "--json");
    expect(created.code, created.stderr).toBe(0);
    const task = JSON.parse(created.stdout) as { id: string; status: string; result: string };
    expect(task).toMatchObject({ status: "completed", result: "All tested." });

    const status = await cca("task", "status", task.id, "--json");
    const tree = JSON.parse(status.stdout) as TaskTree;
    expect(tree.subtasks).toHaveLength(1);
    expect(tree.subtasks[0]).toMatchObject({
      description: "Write the tests",
      status: "completed",
      result: "QA: 12 tests written",
    });

    const human = await cca("task", "status", task.id);
    expect(human.stdout).toContain("Write the tests");
    expect(human.stdout).toMatch(/qa/);
  });

  it("exits 5 for an unknown task and 4 for a failed one", async () => {
    expect((await cca("task", "status", "task_nope")).code).toBe(5);
    t.mock.on({ when: () => true, reply: { error: { status: 500, type: "api_error", message: "down" } } });
    const failed = await cca("task", "create", "Break", "--wait");
    expect(failed.code).toBe(4);
  });
});
