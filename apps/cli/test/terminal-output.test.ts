import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ccaWithClosedPipe } from "./fixtures/closed-pipe.ts";
import { type FakeDaemonApi, makeAgent, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-terminal-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  CCA_HOME: home,
  CCA_DAEMON_URL: api.url,
  CCA_TOKEN: api.token,
  ...extra,
});
const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: env(options.env as Record<string, string>) });

const FIRST = "task_db824452b2874203bd4b";
const SECOND = "task_db83a1c07e9f4d21aa10";
const ESCAPE = "\u001b[";

describe("id prefixes", () => {
  beforeEach(() => {
    api.tasks.set(FIRST, makeTask({ id: FIRST, status: "completed" }));
    api.tasks.set(SECOND, makeTask({ id: SECOND, status: "completed" }));
  });

  it("a unique prefix names its task", async () => {
    const result = await cca(["task", "status", "task_db82", "--json"]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).id).toBe(FIRST);
    expect(api.requests.at(-1)?.path).toBe(`/api/v1/tasks/${FIRST}/tree`);
  });

  it("an ambiguous prefix is a usage error (exit 2) naming the candidates", async () => {
    const result = await cca(["task", "cancel", "task_db8"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `Usage error: "task_db8" could be any of 2 task ids: ${FIRST}, ${SECOND}. Give more of the id.\n`,
    );
    expect(api.requests.some((request) => request.method === "POST")).toBe(false);
  });

  it("a prefix no id has exits 5, naming the command that lists them", async () => {
    const result = await cca(["agent", "stop", "backend_ff"]);

    expect(result).toMatchObject({
      code: 5,
      stderr: 'cca: No agent with id "backend_ff"; list agents with `cca agent list` (agent_not_found)\n',
    });
  });

  it("a whole id goes to the daemon as it is, and its not-found message names the cca command", async () => {
    const missing = "task_00000000000000000000";

    const result = await cca(["task", "status", missing]);

    expect(result).toMatchObject({
      code: 5,
      stderr: `cca: No task with id "${missing}"; list tasks with \`cca task list\` (task_not_found)\n`,
    });
    expect(api.requests.map((request) => request.path)).toEqual([`/api/v1/tasks/${missing}/tree`]);
  });
});

describe("colour", () => {
  beforeEach(() => {
    api.agents.set("backend_1", makeAgent({ id: "backend_1", state: "failed" }));
  });

  it("paints states on a terminal", async () => {
    const result = await cca(["agent", "list"], { stdout: createCapturedOutput(80, { isTTY: true }) });

    expect(result.stdout).toContain("\u001b[1m\u001b[31mfailed\u001b[39m\u001b[22m");
  });

  it("writes no escape codes to a pipe, nor to a terminal with NO_COLOR", async () => {
    const piped = await cca(["agent", "list"], { stdout: createCapturedOutput(80) });
    const noColor = await cca(["agent", "list"], {
      stdout: createCapturedOutput(80, { isTTY: true }),
      env: { NO_COLOR: "1" },
    });

    expect(piped.stdout).toContain("failed");
    expect(piped.stdout).not.toContain(ESCAPE);
    expect(noColor.stdout).toContain("failed");
    expect(noColor.stdout).not.toContain(ESCAPE);
  });

  it("paints a pipe too with FORCE_COLOR", async () => {
    const result = await cca(["agent", "list"], {
      stdout: createCapturedOutput(80),
      env: { FORCE_COLOR: "1" },
    });

    expect(result.stdout).toContain(`${ESCAPE}31mfailed`);
  });
});

describe("live views on a terminal", () => {
  it("status --watch redraws every second between events, the uptime ticking, clipped to the window", async () => {
    api.tasks.set("task_root", makeTask({ id: "task_root", status: "running" }));
    for (let index = 0; index < 12; index += 1) {
      api.emit({ kind: "agent.text", agent_id: null, task_id: null, summary: `event ${index}` });
    }
    const terminal = Object.assign(createCapturedOutput(80, { isTTY: true }), { rows: 10 });
    let tick = () => {};
    let clock = Date.parse("2025-01-01T12:05:00.000Z");
    const interrupt = new AbortController();

    const running = cca(["status", "--watch"], {
      stdout: terminal,
      signal: interrupt.signal,
      now: () => new Date(clock),
      everySecond: (listener) => {
        tick = listener;
        return () => {
          tick = () => {};
        };
      },
    });
    await terminal.waitFor("up 42.0s");
    clock += 3_000;
    tick();
    await terminal.waitFor("up 45.0s");
    interrupt.abort();
    const result = await running;

    expect(result.code).toBe(130);
    const frames = terminal.text.split(`${ESCAPE}J`);
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      // Each frame takes 9 rows of the 10, the cursor waiting on the last one.
      const rows = frame.split("\n").slice(0, -1);
      expect(rows).toHaveLength(9);
      expect(rows.at(-1)).toMatch(/^… \d+ more lines \(a taller window shows them\)$/);
    }
  });

  it("task create --wait shows the task's activity as it comes, then the result", async () => {
    const output = createCapturedOutput(80);
    const created = api.nextCreatedTask();

    const running = cca(["task", "create", "--wait", "Add signup"], { stdout: output });
    const task = await created;
    await api.nextEventStream();
    api.update(task.id, { status: "running", agent_id: "coordinator_c1" });
    api.emit({
      kind: "agent.tool_use",
      agent_id: "coordinator_c1",
      task_id: task.id,
      summary: "coordinator: running Read",
    });
    await output.waitFor("coordinator: running Read");
    api.update(task.id, { status: "completed", result: "Signup added" });
    const result = await running;

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^task task_0001 {2}queued .*\n12:05:00 {2}task task_0001 running\n12:05:00 {2}coordinator: running Read\n/,
    );
    expect(result.stdout).toContain("result\n  Signup added");
  });
});

describe("a reader that goes away", () => {
  it("status --watch --json stops quietly, exit 0, when its pipe closes", async () => {
    const result = await ccaWithClosedPipe(["status", "--watch", "--json"], env(), async () => {
      await api.nextEventStream();
      // The next change is written to no one.
      api.emit({ kind: "agent.text", agent_id: null, task_id: null, summary: "something changed" });
    });

    expect(result).toEqual({ code: 0, stderr: "" });
  });
});
