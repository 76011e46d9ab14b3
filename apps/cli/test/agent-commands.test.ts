import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeAgent, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-agent-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[]) =>
  runCca(args, { env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

describe("cca agent", () => {
  it("lists agents as a table with state, memory, tokens, cost and current task (the id names the role)", async () => {
    api.agents.set(
      "agent_b",
      makeAgent({
        id: "agent_b",
        role: "backend",
        state: "busy",
        rss_bytes: 300 * 2 ** 20,
        current_task_id: "task_7",
        tasks_completed: 2,
        usage: {
          input_tokens: 2000,
          output_tokens: 500,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cost_usd: 0.5,
        },
      }),
    );
    api.agents.set("agent_q", makeAgent({ id: "agent_q", role: "qa", pid: null, state: "stopped" }));

    const result = await cca(["agent", "list"]);

    expect(result.code).toBe(0);
    const [header, busy, stopped] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+STATE\s+RSS\s+DONE\s+TOKENS\s+COST\s+ACTIVE\s+TASK$/);
    expect(busy).toMatch(/^agent_b\s+busy\s+300M\s+2\s+2.5k\s+\$0.5000\s+5m\s+task_7$/);
    expect(stopped).toMatch(/^agent_q\s+stopped\s+-\s+0\s+0\s+\$0.0000\s+5m\s+-$/);
  });

  it("prints the wire objects with --json", async () => {
    api.agents.set("agent_b", makeAgent({ id: "agent_b" }));

    const result = await cca(["agent", "list", "--json"]);

    expect(AgentSchema.array().parse(JSON.parse(result.stdout))).toEqual([api.agents.get("agent_b")]);
  });

  it("spawns an agent of a role", async () => {
    const result = await cca(["agent", "spawn", "dba"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Spawned: agent agent_\d+ {2}role dba {2}starting {2}pid 4242/);
    expect([...api.agents.values()].map((agent) => agent.role)).toEqual(["dba"]);
  });

  it("exits 1 with the daemon's list of roles for an unknown role", async () => {
    const result = await cca(["agent", "spawn", "bakend"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown role "bakend"; known roles: coordinator, backend');
  });

  it("stops an agent and prints its final state with --json", async () => {
    api.agents.set("agent_b", makeAgent({ id: "agent_b" }));

    const result = await cca(["agent", "stop", "agent_b", "--json"]);

    expect(result.code).toBe(0);
    expect(AgentSchema.parse(JSON.parse(result.stdout)).state).toBe("stopped");
  });

  it("exits 5 when stopping an unknown agent", async () => {
    const result = await cca(["agent", "stop", "agent_nope"]);

    expect(result.code).toBe(5);
    expect(result.stderr).toContain("(agent_not_found)");
  });
});
