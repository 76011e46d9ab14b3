import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type PtySession, screenShows, spawnPtySession } from "@cca/pty";
import { afterEach, describe, expect, it } from "vitest";
import { eventMatching } from "./events.js";
import { createPtyEchoDriver } from "./pty-driver.js";
import { startTestDaemon, type TestDaemon } from "./support.js";

/** The built `cca`, as a user runs it (`pnpm --filter @cca/cli build` first). */
const CCA_CLI_BIN = fileURLToPath(new URL("../../cli/bin/cca.js", import.meta.url));

const daemons: TestDaemon[] = [];
const sessions: PtySession[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) if (!session.process.exit) await session.kill({ graceMs: 500 });
  for (const daemon of daemons.splice(0)) await daemon.close();
});

async function daemonWith(options: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
  const t = await startTestDaemon(options);
  daemons.push(t);
  return t;
}

function cliEnv(t: TestDaemon): Record<string, string | undefined> {
  return {
    ...process.env,
    CCA_HOME: t.home,
    CCA_DAEMON_URL: t.daemon.url,
    CCA_TOKEN: t.daemon.token,
    NO_COLOR: "1",
  };
}

/** `cca` in a terminal of its own, as a person would run it. */
function ccaInTerminal(t: TestDaemon, ...args: string[]): PtySession {
  const session = spawnPtySession(process.execPath, [CCA_CLI_BIN, ...args], {
    env: cliEnv(t),
    cols: 100,
    rows: 30,
  });
  sessions.push(session);
  return session;
}

/** `cca` with its output captured; resolves with its exit code and output. */
async function cca(
  t: TestDaemon,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CCA_CLI_BIN, ...args], {
      env: cliEnv(t),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("cca agent attach in a terminal", () => {
  it("is the interactive agent's raw terminal; Ctrl-] detaches and the agent keeps running", async () => {
    const t = await daemonWith({ createDriver: createPtyEchoDriver });
    const agent = await t.client.spawnAgent("backend");
    const cli = ccaInTerminal(t, "agent", "attach", agent.id.slice(0, 12));

    await screenShows(cli, "ready");
    cli.write("typed here\r");
    await screenShows(cli, "TYPED HERE");
    cli.write("\x1d");
    expect(await cli.exited).toMatchObject({ code: 0 });
    expect((await cli.screenText()).join("\n")).toContain(`agent ${agent.id} keeps running`);

    expect(await t.client.getAgent(agent.id)).toMatchObject({ state: "ready" });
    expect(await t.daemon.agents.terminal(agent.id)?.screenText()).toEqual(
      expect.arrayContaining([expect.stringContaining("TYPED HERE")]),
    );
  });

  it("is the headless agent's live transcript, where a typed line becomes a turn whose answer appears", async () => {
    const t = await daemonWith();
    const agent = await t.client.spawnAgent("backend");
    const cli = ccaInTerminal(t, "agent", "attach", agent.id);

    await screenShows(cli, "transcript");
    cli.write("hello from the terminal\r");
    await screenShows(cli, "echo: hello from the terminal");
    const [task] = await t.client.listTasks();
    expect(task).toMatchObject({
      agent_id: agent.id,
      status: "completed",
      description: "hello from the terminal",
    });

    cli.write("\x04");
    expect(await cli.exited).toMatchObject({ code: 0 });
    expect(await t.client.getAgent(agent.id)).toMatchObject({ state: "ready" });
  });

  it("explains the detach key in its help", async () => {
    const t = await daemonWith();
    const help = await cca(t, "agent", "attach", "--help");
    expect(help.stdout).toContain("Ctrl-] detaches");
  });
});

describe("cca agent send", () => {
  it("waits while the agent is busy, then prints the answer its turn gave", async () => {
    const t = await daemonWith();
    const agent = await t.client.spawnAgent("backend");
    const hanging = await t.client.sendAgentMessage(agent.id, "hang");
    await eventMatching(t, (event) => event.kind === "agent.state" && event.task_id === hanging.id);

    const sent = cca(t, "agent", "send", agent.id, "after", "that");
    await eventMatching(
      t,
      (event) => event.kind === "task.queued" && event.agent_id === agent.id && event.task_id !== hanging.id,
    );
    await t.client.cancelTask(hanging.id);
    const { code, stdout, stderr } = await sent;

    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`Agent ${agent.id} is busy`);
    expect(stdout).toContain("echo: after that");
    const agents = await t.client.listAgents();
    expect(agents.map((listed) => listed.id)).toEqual([agent.id]);
  });

  it("prints the task and returns at once with --no-wait", async () => {
    const t = await daemonWith();
    const agent = await t.client.spawnAgent("backend");
    const { code, stdout } = await cca(t, "agent", "send", agent.id, "--no-wait", "--json", "quick");
    expect(code).toBe(0);
    const task = JSON.parse(stdout) as { id: string; description: string };
    expect(task.description).toBe("quick");
    expect((await t.daemon.orchestrator.waitFor(task.id, 10_000)).task).toMatchObject({
      status: "completed",
      agent_id: agent.id,
    });
  });

  it("names `cca agent list` for an unknown agent, and for one that has stopped", async () => {
    const t = await daemonWith();
    const unknown = await cca(t, "agent", "send", "backend_nope", "hello");
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain("cca agent list");

    const agent = await t.client.spawnAgent("backend");
    await t.client.stopAgent(agent.id);
    const stopped = await cca(t, "agent", "send", agent.id, "hello");
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toMatch(/has stopped.*cca agent list/);
  });
});
