import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage } from "@cca/core";
import stringWidth from "string-width";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeAgent, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-layout-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

/** `cca` on an 80-column output (a pipe: no colour). */
const cca80 = (args: string[]) =>
  runCca(args, {
    stdout: createCapturedOutput(80),
    env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token },
  });

const ROOT = "task_db824452b2874203bd4b";
const PART_BACKEND = "task_db83a1c07e9f4d21aa10";
const PART_QA = "task_7c01e5d2f04b4a8c9e11";
const OLD = "task_5e9f00a1b2c34d5e6f70";
const COORDINATOR = "coordinator_4edc80de352344a28ba0";
const BACKEND = "backend_0a9b8c7d6e5f4a3b2c1d";
const QA = "qa_1f2e3d4c5b6a79880706";

/** A team at work with ids as the daemon makes them, and a description and an error too long for a line. */
function addTeam() {
  api.agents.set(
    COORDINATOR,
    makeAgent({
      id: COORDINATOR,
      role: "coordinator",
      state: "busy",
      pid: 1203456,
      rss_bytes: 312 * 2 ** 20,
      current_task_id: ROOT,
    }),
  );
  api.agents.set(
    BACKEND,
    makeAgent({
      id: BACKEND,
      role: "backend",
      state: "waiting_input",
      pid: 1203511,
      rss_bytes: 1.5 * 2 ** 30,
      current_task_id: PART_BACKEND,
      tasks_completed: 3,
      usage: { ...emptyUsage(), input_tokens: 182_000, cost_usd: 1.2345 },
      last_tool: {
        name: "Bash",
        summary: "Bash: npm test -- --run src/users.test.ts",
        at: "2025-01-01T12:04:50.000Z",
      },
    }),
  );
  api.agents.set(
    QA,
    makeAgent({
      id: QA,
      role: "qa",
      state: "failed",
      pid: null,
      last_error: { code: "agent_crashed", message: "Claude Code exited with code 1 before its first turn" },
    }),
  );
  api.tasks.set(
    OLD,
    makeTask({ id: OLD, status: "completed", description: "Old work", duration_ms: 42_000 }),
  );
  api.tasks.set(
    ROOT,
    makeTask({
      id: ROOT,
      status: "running",
      agent_id: COORDINATOR,
      started_at: "2025-01-01T12:01:00.000Z",
      description: "Add signup: a POST /users endpoint with validation, a form, and tests for both",
    }),
  );
  api.tasks.set(
    PART_BACKEND,
    makeTask({
      id: PART_BACKEND,
      parent_id: ROOT,
      status: "running",
      agent_id: BACKEND,
      started_at: "2025-01-01T12:02:00.000Z",
      description: "Add POST /users with validation",
      usage: { ...emptyUsage(), input_tokens: 182_000, cost_usd: 1.2345 },
    }),
  );
  api.tasks.set(
    PART_QA,
    makeTask({ id: PART_QA, parent_id: ROOT, status: "queued", description: "Test POST /users" }),
  );
  api.emit({
    kind: "task.queued",
    agent_id: COORDINATOR,
    task_id: PART_BACKEND,
    summary: "cca_task: Add POST /users",
  });
  api.emit({
    kind: "agent.tool_use",
    agent_id: BACKEND,
    task_id: PART_BACKEND,
    summary: "backend: running Bash: npm test -- --run src/users.test.ts --reporter verbose",
  });
}

function expectFits(text: string) {
  for (const line of text.split("\n")) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
}

describe("at 80 columns", () => {
  it("agent list: one line per agent, short ids, the error cut with an ellipsis", async () => {
    addTeam();

    const { stdout } = await cca80(["agent", "list"]);

    expect(stdout).toBe(
      [
        "ID                STATE      RSS   DONE  TOKENS  COST     ACTIVE  TASK",
        "coordinator_4edc  busy       312M  0     0       $0.0000  5m      task_db82",
        "backend_0a9b      needs you  1.5G  3     182k    $1.23    5m      task_db83",
        "qa_1f2e3          failed     -     0     0       $0.0000  5m      error: Claude…",
        "",
      ].join("\n"),
    );
    expectFits(stdout);
  });

  it("task list: top-level tasks only, with their parts count, and short ids", async () => {
    addTeam();

    const { stdout } = await cca80(["task", "list"]);

    expect(stdout).toBe(
      [
        "ID         STATUS     AGE  PARTS  TOKENS  COST     DESCRIPTION",
        "task_5e9f  completed  5m   0      0       $0.0000  Old work",
        "task_db82  running    5m   2      0       $0.0000  Add signup: a POST /users en…",
        "",
      ].join("\n"),
    );
    expectFits(stdout);
  });

  it("task list --tree: the parts below their task, ids as long as needed to tell them apart", async () => {
    addTeam();

    const { stdout } = await cca80(["task", "list", "--tree"]);

    expect(stdout).toBe(
      [
        "TASK          STATUS     TIME   TOKENS  COST     DESCRIPTION",
        "task_5e9f     completed  42.0s  0       $0.0000  Old work",
        "task_db82     running    4m00s  182k    $1.23    Add signup: a POST /users endp…",
        "├─ task_db83  running    3m00s  182k    $1.23    backend: Add POST /users with …",
        "└─ task_7c01  queued     -      0       $0.0000  —: Test POST /users",
        "",
      ].join("\n"),
    );
    expectFits(stdout);
  });

  it("status: the daemon, agents, open tasks and recent activity, every line within the width", async () => {
    addTeam();

    const { stdout } = await cca80(["status"]);

    expect(stdout).toBe(
      [
        `ccad 0.0.0-fake running at ${api.url} (pid ${process.pid}, up 42.0s)`,
        "",
        "agents",
        "ID                STATE      TASK       TOKENS  COST     LAST TOOL",
        "coordinator_4edc  busy       task_db82  0       $0.0000  -",
        "backend_0a9b      needs you  task_db83  182k    $1.23    Bash: npm test -- --ru…",
        "qa_1f2e3          failed     -          0       $0.0000  -",
        "",
        "tasks",
        "TASK        STATUS   TIME   TOKENS  COST     DESCRIPTION",
        "task_db82   running  4m00s  182k    $1.23    Add signup: a POST /users endpoint…",
        "├─ backend  running  3m00s  182k    $1.23    Add POST /users with validation",
        "└─ —        queued   -      0       $0.0000  Test POST /users",
        "",
        "recent activity",
        "  5m  cca_task: Add POST /users",
        "  5m  backend: running Bash: npm test -- --run src/users.test.ts --reporter ver…",
        "",
      ].join("\n"),
    );
    expectFits(stdout);
  });
});
