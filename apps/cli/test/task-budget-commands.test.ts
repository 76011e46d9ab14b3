import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage, type Task, TaskSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-budget-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

const posts = () => api.requests.filter((request) => request.method === "POST");

/** 41,000 tokens: over a 40,000 budget. */
const spent = { ...emptyUsage(), input_tokens: 40_500, output_tokens: 500, cost_usd: 0.3 };

/** The error of a task whose budget ran out after its turn, as the daemon words it. */
function pausedError(id: string): Task["error"] {
  return {
    code: "budget_exhausted",
    message: [
      "The task's budget of 40,000 tokens is spent (41,000). Its turn finished, but 1 part did not run, so the task is paused with its answer so far.",
      'Done: "Add POST /users".',
      'Not run yet: "Test POST /users".',
      `Resume it with a bigger budget: cca task resume ${id} (POST /api/v1/tasks/${id}/resume, or cca_resume).`,
    ].join("\n"),
  };
}

const pausedFields = (id: string): Partial<Task> => ({
  status: "paused",
  agent_id: "coordinator_c1",
  started_at: "2025-01-01T12:00:01.000Z",
  budget: { tokens: 40_000 },
  usage: spent,
  result: "The endpoint is in; its tests are not written.",
  error: pausedError(id),
});

/** A paused task the Coordinator split: the backend part done, the qa part paused before it ran. */
function addPausedTree() {
  api.tasks.set("task_p", makeTask({ id: "task_p", description: "Add signup", ...pausedFields("task_p") }));
  api.tasks.set(
    "task_be",
    makeTask({
      id: "task_be",
      parent_id: "task_p",
      status: "completed",
      agent_id: "backend_b1",
      duration_ms: 20_000,
      description: "Add POST /users",
    }),
  );
  api.tasks.set(
    "task_qa",
    makeTask({
      id: "task_qa",
      parent_id: "task_p",
      status: "paused",
      description: "Test POST /users",
      error: {
        code: "budget_exhausted",
        message: "The task's budget is spent: this part did not start; it runs when its task is resumed",
      },
    }),
  );
}

describe("cca task create with a budget", () => {
  it("sends --budget-tokens and --budget-usd as the task's budget", async () => {
    const result = await cca([
      "task",
      "create",
      "--budget-tokens",
      "200k",
      "--budget-usd",
      "2.50",
      "Add signup",
    ]);

    expect(result.code).toBe(0);
    expect(posts()[0]?.body).toMatchObject({
      description: "Add signup",
      budget: { tokens: 200_000, usd: 2.5 },
    });
    expect([...api.tasks.values()][0]?.budget).toEqual({ tokens: 200_000, usd: 2.5 });
  });

  it("sends one limit alone, and no budget at all without the flags", async () => {
    await cca(["task", "create", "--budget-usd", "$1", "One"]);
    await cca(["task", "create", "Two"]);

    const [withUsd, without] = posts().map((request) => request.body as Record<string, unknown>);
    expect(withUsd?.budget).toEqual({ usd: 1 });
    expect(without).not.toHaveProperty("budget");
  });

  it("refuses a bad budget before sending anything, saying what is expected (exit 2)", async () => {
    const cases: [string[], string][] = [
      [
        ["--budget-tokens", "1.5"],
        '--budget-tokens must be a whole number of tokens above 0, like 200000, 200k or 1.5M; not "1.5".',
      ],
      [
        ["--budget-tokens", "0"],
        '--budget-tokens must be a whole number of tokens above 0, like 200000, 200k or 1.5M; not "0".',
      ],
      [
        ["--budget-usd", "free"],
        '--budget-usd must be an amount of US dollars above 0, like 2.50; not "free".',
      ],
      [["--budget-usd", "-1"], '--budget-usd must be an amount of US dollars above 0, like 2.50; not "-1".'],
      [
        ["--budget-tokens", "1k", "--budget-tokens", "2k"],
        "--budget-tokens was given 2 times; give it once.",
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await cca(["task", "create", ...flags, "Add signup"]);

      expect(result.code, flags.join(" ")).toBe(2);
      expect(result.stderr, flags.join(" ")).toContain(`Usage error: ${message}`);
    }
    expect(posts()).toEqual([]);
  });

  it("--help explains the budget flags and what happens at the limit", async () => {
    const result = await cca(["task", "create", "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--budget-tokens +The most the task's team may spend, in tokens/);
    expect(result.stdout).toMatch(/--budget-usd +The most the task's team may spend, in US dollars/);
    expect(result.stdout).toContain("[default: [budgets] task_tokens]");
    expect(result.stdout).toContain("until `cca task resume <id>`");
    expect(result.stdout).toContain("cca task create --budget-tokens 200k --budget-usd 2.50");
  });
});

describe("cca task create --wait on a task that pauses", () => {
  it("ends on paused with exit 7, showing why and what is left, and says how to resume", async () => {
    const created = api.nextCreatedTask();
    const polled = api.nextLongPoll();
    const running = cca(["task", "create", "--wait", "--budget-tokens", "40000", "Add", "signup"]);
    const task = await created;
    await polled;
    api.update(task.id, pausedFields(task.id));

    const result = await running;
    expect(result.code).toBe(7);
    expect(result.stdout).toContain("status   paused\n");
    expect(result.stdout).toContain("budget   40,000 tokens (41,000 spent, 102%)");
    expect(result.stdout).toContain("result so far\n  The endpoint is in; its tests are not written.");
    expect(result.stdout).toContain(`paused\n  The task's budget of 40,000 tokens is spent (41,000).`);
    expect(result.stdout).toContain('  Done: "Add POST /users".\n  Not run yet: "Test POST /users".\n');
    expect(result.stdout).toContain(`  Resume it with a bigger budget: \`cca task resume ${task.id}\`.`);
    expect(result.stderr).toContain(
      `Task ${task.id} is paused: resume it with \`cca task resume ${task.id}\` (another 40,000 tokens on top of what it spent)`,
    );
  });

  it("with --json prints the paused task and exits 7", async () => {
    const created = api.nextCreatedTask();
    const polled = api.nextLongPoll();
    const running = cca(["task", "create", "--wait", "--json", "Add", "signup"]);
    const task = await created;
    await polled;
    api.update(task.id, pausedFields(task.id));

    const result = await running;
    expect(result.code).toBe(7);
    expect(TaskSchema.parse(JSON.parse(result.stdout))).toMatchObject({
      status: "paused",
      error: { code: "budget_exhausted" },
    });
    expect(result.stderr).toContain(`cca task resume ${task.id}`);
  });
});

describe("a paused task in the task views", () => {
  it("task status shows the budget, the answer so far and why it paused, exiting 7", async () => {
    addPausedTree();

    const result = await cca(["task", "status", "task_p"]);

    expect(result.code).toBe(7);
    expect(result.stdout).toContain("status   paused\n");
    expect(result.stdout).toContain("budget   40,000 tokens (41,000 spent, 102%)\n");
    expect(result.stdout).toContain("paused\n  The task's budget of 40,000 tokens is spent (41,000).");
    expect(result.stdout).toMatch(/├─ backend\s+completed\s+20\.0s/);
    expect(result.stdout).toMatch(/└─ —\s+paused\s+-\s+0\s+\$0\.0000\s+Test POST \/users/);
    expect(result.stderr).toContain("Task task_p is paused: resume it with `cca task resume task_p`");
  });

  it("task status of a paused part exits 7 and points to its task", async () => {
    addPausedTree();

    const result = await cca(["task", "status", "task_qa"]);

    expect(result.code).toBe(7);
    expect(result.stdout).toContain("paused\n  The task's budget is spent: this part did not start");
    expect(result.stderr).toContain("this part's parent is task_p");
  });

  it("task status --watch ends when the task pauses, with exit 7", async () => {
    addPausedTree();
    api.update("task_p", { status: "running", error: null, result: null });
    const stdout = createCapturedOutput();
    const running = cca(["task", "status", "task_p", "--watch"], { stdout });
    await stdout.waitFor("Test POST /users");

    api.update("task_p", pausedFields("task_p"));

    const result = await running;
    expect(result.code).toBe(7);
    expect(result.stdout).toContain("status   paused\n");
    expect(result.stderr).toContain("cca task resume task_p");
  });

  it("task list shows paused tasks and says what to do about them", async () => {
    addPausedTree();
    api.tasks.set("task_r", makeTask({ id: "task_r", status: "running", description: "Other work" }));

    const result = await cca(["task", "list"]);

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(/^task_p\s+paused\s+5m\s+2\s+41k\s+\$0\.3000\s+Add signup$/);
    expect(lines[2]).toMatch(/^task_r\s+running/);
    expect(lines[3]).toBe("Paused tasks: `cca task status <id>` says why, `cca task resume <id>` goes on.");
  });

  it("task list --tree shows the paused part below its task", async () => {
    addPausedTree();

    const result = await cca(["task", "list", "--tree"]);

    expect(result.stdout).toMatch(/\n└─ task_qa\s+paused\s+-\s+0\s+\$0\.0000\s+—: Test POST \/users\n/);
  });

  it("task list --status paused asks the daemon for paused tasks only", async () => {
    addPausedTree();
    api.tasks.set("task_r", makeTask({ id: "task_r", status: "running" }));

    const result = await cca(["task", "list", "--status", "paused", "--json"]);

    expect(JSON.parse(result.stdout).map((task: Task) => task.id)).toEqual(["task_p"]);
  });

  it("cca status lists paused tasks with the open ones", async () => {
    addPausedTree();

    const result = await cca(["status"]);

    expect(result.stdout).toMatch(/\ntask_p\s+paused\s+/);
    expect(result.stdout).toContain(
      "Paused tasks: `cca task status <id>` says why, `cca task resume <id>` goes on.",
    );
  });

  it("task cancel cancels a paused task", async () => {
    addPausedTree();

    const result = await cca(["task", "cancel", "task_p"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Cancelled: task task_p {2}cancelled/);
  });
});

describe("cca task resume", () => {
  it("sends --tokens as the task's new total budget and says it is queued again", async () => {
    addPausedTree();

    const result = await cca(["task", "resume", "task_p", "--tokens", "100k"]);

    expect(result.code).toBe(0);
    expect(posts().map((request) => [request.path, request.body])).toEqual([
      ["/api/v1/tasks/task_p/resume", { budget: { tokens: 100_000 } }],
    ]);
    expect(result.stdout).toBe(
      "Resumed task_p, queued again, with a budget of 100,000 tokens (41,000 tokens spent so far).\n",
    );
    expect(api.tasks.get("task_p")).toMatchObject({ status: "queued", budget: { tokens: 100_000 } });
    expect(api.tasks.get("task_qa")?.status).toBe("queued");
  });

  it("without flags asks for another budget of the size it had, and prints what the daemon gave", async () => {
    addPausedTree();

    const result = await cca(["task", "resume", "task_p"]);

    expect(result.code).toBe(0);
    expect(posts()[0]?.body).toEqual({});
    expect(result.stdout).toContain("with a budget of 81,000 tokens (41,000 tokens spent so far)");
  });

  it("sends both limits when both are given", async () => {
    addPausedTree();

    await cca(["task", "resume", "task_p", "--tokens", "90000", "--usd", "3"]);

    expect(posts()[0]?.body).toEqual({ budget: { tokens: 90_000, usd: 3 } });
  });

  it("prints the queued task with --json", async () => {
    addPausedTree();

    const result = await cca(["task", "resume", "task_p", "--usd", "1", "--json"]);

    expect(TaskSchema.parse(JSON.parse(result.stdout))).toMatchObject({
      id: "task_p",
      status: "queued",
      budget: { usd: 1 },
    });
  });

  it("--wait follows the task to its end like task create --wait", async () => {
    addPausedTree();
    const polled = api.nextLongPoll();
    const running = cca(["task", "resume", "task_p", "--tokens", "100k", "--wait"]);
    await polled;
    api.update("task_qa", { status: "completed", error: null });
    api.update("task_p", { status: "completed", result: "Signup works, tested." });

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Resumed task_p, queued again, with a budget of 100,000 tokens/);
    expect(result.stdout).toContain("status   completed");
    expect(result.stdout).toContain("result\n  Signup works, tested.");
  });

  it("--wait exits 7 when the task pauses again", async () => {
    addPausedTree();
    const polled = api.nextLongPoll();
    const running = cca(["task", "resume", "task_p", "--wait", "--json"]);
    await polled;
    api.update("task_p", pausedFields("task_p"));

    const result = await running;
    expect(result.code).toBe(7);
    expect(JSON.parse(result.stdout).status).toBe("paused");
    expect(result.stderr).toContain("cca task resume task_p");
  });

  it("refuses a task that is not paused with the daemon's reason (exit 6)", async () => {
    api.tasks.set("task_r", makeTask({ id: "task_r", status: "running" }));

    const result = await cca(["task", "resume", "task_r"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      "cca: Task task_r is running, not paused; only a paused task can be resumed (task_not_paused)\n",
    );
  });

  it("refuses a budget it has spent already, saying what it spent and the command that gives more (exit 6)", async () => {
    addPausedTree();

    const result = await cca(["task", "resume", "task_p", "--tokens", "40000"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      "cca: The task's budget of 40,000 tokens is spent (41,000 tokens used), so it would pause again at once",
    );
    expect(result.stderr).toContain("(budget_exhausted)\n");
    expect(result.stderr).toContain(
      "It has spent 41,000 tokens and $0.3000; give it a bigger budget in all, e.g. `cca task resume task_p --tokens 82000`.",
    );
    expect(api.tasks.get("task_p")?.status).toBe("paused");
  });

  it("sends a part to its top-level task (exit 1)", async () => {
    addPausedTree();

    const result = await cca(["task", "resume", "task_qa"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "cca: Task task_qa is a part of task task_p; resume that task, and its paused parts resume with it (bad_request)",
    );
  });

  it("exits 5 for an unknown task", async () => {
    expect((await cca(["task", "resume", "task_nope"])).code).toBe(5);
  });

  it("refuses bad flags before sending anything (exit 2)", async () => {
    addPausedTree();

    const tokens = await cca(["task", "resume", "task_p", "--tokens", "many"]);
    const timeout = await cca(["task", "resume", "task_p", "--timeout", "5"]);

    expect(tokens.code).toBe(2);
    expect(tokens.stderr).toContain(
      '--tokens must be a whole number of tokens above 0, like 200000, 200k or 1.5M; not "many".',
    );
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("--timeout only applies with --wait.");
    expect(posts()).toEqual([]);
  });

  it("--help says the budget is a total and what the daemon refuses", async () => {
    const result = await cca(["task", "resume", "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cca task resume <id>");
    expect(result.stdout).toMatch(
      /--tokens +The task's new budget in tokens, in all \(what it spent included\)/,
    );
    expect(result.stdout).toContain("Without either it gets another budget of the size it had");
    expect(result.stdout).toContain("exit 6");
    expect(result.stdout).toContain("Examples:\n  cca task resume task_3f9c0a");
  });
});
