import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentLogEntry, AgentLogEntrySchema, AgentLogsResponseSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ccaWithClosedPipe } from "./fixtures/closed-pipe.ts";
import { type FakeDaemonApi, makeAgent, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-agent-logs-"));
  api.agents.set("agent_b7", makeAgent({ id: "agent_b7", session_id: "s1" }));
  api.agents.set("agent_c1", makeAgent({ id: "agent_c1" }));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

const said = (text: string, time = "12:01:04"): AgentLogEntry => ({
  kind: "text",
  at: `2025-01-01T${time}.000Z`,
  text,
});

describe("cca agent logs", () => {
  it("shows the newest entries of the agent a unique prefix names, and how many were left out", async () => {
    api.agentLogs.set("agent_b7", [said("first"), said("second"), said("third")]);

    const result = await cca(["agent", "logs", "agent_b", "--lines", "2"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "… 1 earlier entries (show more with --lines)",
        "12:01:04 claude second",
        "12:01:04 claude third",
        "",
      ].join("\n"),
    );
    expect(api.requests.at(-1)?.path).toBe("/api/v1/agents/agent_b7/logs?lines=2");
  });

  it("prints the daemon's answer with --json", async () => {
    api.agentLogs.set("agent_b7", [said("hi")]);

    const result = await cca(["agent", "logs", "agent_b7", "--json"]);

    expect(AgentLogsResponseSchema.parse(JSON.parse(result.stdout))).toMatchObject({
      agent_id: "agent_b7",
      entries: [said("hi")],
    });
  });

  it("refuses --lines that is not a whole number from 1 to 10000 as a usage error", async () => {
    const result = await cca(["agent", "logs", "agent_b7", "--lines", "0"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--lines must be a whole number from 1 to 10000, not 0.");
  });

  it("exits 5 for an agent the daemon does not know", async () => {
    const result = await cca(["agent", "logs", "agent_zz"]);

    expect(result.code).toBe(5);
    expect(result.stderr).toContain('No agent with id "agent_zz"');
  });

  it("follows with -f: shows what the agent writes after each of its events, from the cursor on, until it stops", async () => {
    api.agentLogs.set("agent_b7", [said("before")]);
    const stdout = createCapturedOutput(80);
    const stderr = createCapturedOutput(80);
    const running = cca(["agent", "logs", "agent_b7", "-f"], { stdout, stderr });
    await stdout.waitFor("before");
    await api.nextEventStream();

    api.agentLogs.get("agent_b7")?.push(said("after", "12:02:00"));
    api.emit({ kind: "agent.text", agent_id: "agent_b7", task_id: null, summary: "backend: after" });
    await stdout.waitFor("after");
    api.emit({ kind: "agent.stopped", agent_id: "agent_b7", task_id: null, summary: "backend: stopped" });

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("12:01:04 claude before\n12:02:00 claude after\n");
    expect(result.stderr).toContain("Agent agent_b7 stopped; its log ends here.");
    expect(api.requests.map((request) => request.path)).toContain("/api/v1/agents/agent_b7/logs?after=1");
  });

  it("follows with -f --json as one entry per line, and ends on Ctrl-C with 130", async () => {
    api.agentLogs.set("agent_b7", [said("before")]);
    const stdout = createCapturedOutput(80);
    const interrupt = new AbortController();
    const running = cca(["agent", "logs", "agent_b7", "-f", "--json"], { stdout, signal: interrupt.signal });
    await stdout.waitFor("before");
    await api.nextEventStream();

    api.agentLogs.get("agent_b7")?.push(said("after"));
    api.emit({ kind: "agent.text", agent_id: "agent_b7", task_id: null, summary: "backend: after" });
    await stdout.waitFor("after");
    interrupt.abort();

    const result = await running;
    expect(result.code).toBe(130);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.map((line) => AgentLogEntrySchema.parse(JSON.parse(line)))).toEqual([
      said("before"),
      said("after"),
    ]);
  });
});

describe("cca agent logs -f, read by a reader that goes away", () => {
  it("stops quietly, exit 0, when its pipe closes", async () => {
    api.agentLogs.set("agent_b7", [said("before")]);
    const env = { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token };

    const result = await ccaWithClosedPipe(["agent", "logs", "agent_b7", "-f"], env, async () => {
      await api.nextEventStream();
      // The next entries are written to no one.
      api.agentLogs.get("agent_b7")?.push(said("after"));
      api.emit({ kind: "agent.text", agent_id: "agent_b7", task_id: null, summary: "backend: after" });
    });

    expect(result).toEqual({ code: 0, stderr: "" });
  });
});
