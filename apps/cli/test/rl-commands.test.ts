import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createDaemonClient,
  RlStatusSchema,
  RlTrainResultSchema,
  RoutePreviewSchema,
  RoutingExperienceSchema,
} from "@cca/core";
import { RoutingExperienceRepository } from "@cca/memory";
import stringWidth from "string-width";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";
import { startTestDaemon, type TestDaemon } from "./fixtures/test-daemon.ts";

// Each test starts a real daemon on a fresh PGlite and most route and settle four tasks: on a
// busy machine that takes longer than the preset's 10 seconds.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let test: TestDaemon;

beforeEach(async () => {
  test = await startTestDaemon("rl");
});

afterEach(() => test.close());

const cca = (args: string[]) => test.cca(args);

/** `cca` on an 80-column output, as in a default terminal. */
const cca80 = (args: string[]) =>
  runCca(args, {
    stdout: createCapturedOutput(80),
    env: { CCA_HOME: test.home, CCA_DAEMON_URL: test.daemon.url, CCA_TOKEN: test.daemon.token },
  });

const API_TASK = "fix the api handler for orders";

/**
 * Two tasks sent to backend by name and two left to the heuristic (the Coordinator), each
 * routed, run and settled by the daemon. With no Claude Code here every task fails at once, so
 * the backend decisions are then marked as the successes a backend agent would have made.
 */
async function seedDecisions(): Promise<void> {
  const client = createDaemonClient({ baseUrl: test.daemon.url, token: test.daemon.token });
  for (const role of ["backend", "backend", undefined, undefined]) {
    const { task } = await client.createTaskAndWait({ description: API_TASK, ...(role ? { role } : {}) });
    expect(task.status).toBe("failed");
  }
  await test.database.db
    .updateTable("rl_experiences")
    .set({ success: true, reward: 0.9 })
    .where("role", "=", "backend")
    .execute();
}

const widest = (text: string) => Math.max(...text.split("\n").map((line) => stringWidth(line)));

describe("cca rl stats and train", () => {
  it("shows the mode, the gates and each source's outcomes, and rebuilds the models from them", async () => {
    await seedDecisions();
    const stats = await cca80(["rl", "stats"]);
    expect(stats.stderr).toBe("");
    expect(stats.code).toBe(0);
    const lines = stats.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "Learned routing: on (the learned policy routes where its gates pass)",
      "algorithm: linear-bandit; gates: min_support 8, min_confidence 0.9, explore 0",
      "",
      "task policy (top-level tasks): trained on 4 experiences, not saved yet",
    ]);
    const table = lines.slice(
      lines.indexOf("SOURCE     DECISIONS  SETTLED  SUCCESS  MEAN TOKENS  MEAN REWARD"),
    );
    expect(table.slice(1, 3).map((row) => row.split(/\s{2,}/))).toEqual([
      ["heuristic", "2", "2", "0%", "0", "0.00"],
      ["override", "2", "2", "100%", "0", "0.90"],
    ]);
    expect(lines).toContain("part policy (delegated parts): trained on 0 experiences, not saved yet");
    expect(lines.at(-1)).toBe("No decisions yet.");
    expect(widest(stats.stdout)).toBeLessThanOrEqual(80);

    const trained = await cca(["rl", "train"]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toBe(
      [
        "Rebuilt the routing models from every settled experience:",
        "  task policy: trained on 4 experiences",
        "  part policy: trained on 0 experiences",
        "",
      ].join("\n"),
    );
    // Training saves the models: the checkpoint's age is now measured from the run's clock.
    expect((await cca(["rl", "stats"])).stdout).toMatch(
      /task policy \(top-level tasks\): trained on 4 experiences, saved \w+ ago/,
    );
  });

  it("prints the daemon's status and training result as JSON", async () => {
    await seedDecisions();
    const status = RlStatusSchema.parse(JSON.parse((await cca(["rl", "stats", "--json"])).stdout));
    expect(status).toMatchObject({ mode: "on", gates: { min_support: 8, min_confidence: 0.9, explore: 0 } });
    const task = status.policies.find((policy) => policy.policy === "task")!;
    expect(task.by_source.map((source) => [source.source, source.decisions, source.success_rate])).toEqual([
      ["heuristic", 2, 0],
      ["override", 2, 1],
    ]);
    const trained = RlTrainResultSchema.parse(JSON.parse((await cca(["rl", "train", "--json"])).stdout));
    expect(trained.policies).toEqual([
      { policy: "task", trained_on: 4 },
      { policy: "part", trained_on: 0 },
    ]);
  });
});

describe("cca rl policy", () => {
  it("prints where a task would go and why, then every role's estimate, best first, in 80 columns", async () => {
    await seedDecisions();
    await cca(["rl", "train"]);
    const result = await cca80(["rl", "policy", ...API_TASK.split(" ")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    // Two outcomes each are below min_support 8: the heuristic keeps the task, and says why.
    expect(lines[0]).toBe("task policy: coordinator/standard, by the heuristic");
    expect(lines.slice(1, lines.indexOf("")).join(" ")).toMatch(
      /^routed to coordinator\/standard q=-?\d\.\d\d \(n=\d+\) \(heuristic; learned backend\/standard q=\d\.\d\d \(n=\d+\) held back: n=\d+ < 8\)$/,
    );
    const table = lines.slice(lines.indexOf("") + 1);
    expect(table[0]).toMatch(/^ROLE\s+TIER\s+Q\s+±STD\s+N\s+NOTE$/);
    const rows = table.slice(1).map((row) => row.split(/\s{2,}/));
    expect(rows[0]?.[0]).toBe("backend");
    const qs = rows.map((row) => Number(row[2]));
    expect(qs).toEqual([...qs].sort((a, b) => b - a));
    expect(rows.find((row) => row[0] === "coordinator")?.at(-1)).toBe("chosen, heuristic's");
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
  });

  it("routes a delegated part with --part and --role, and prints the preview as JSON", async () => {
    const preview = RoutePreviewSchema.parse(
      JSON.parse(
        (await cca(["rl", "policy", "--part", "--role", "qa", "Test the signup form", "--json"])).stdout,
      ),
    );
    expect(preview).toMatchObject({
      policy: "part",
      role: "qa",
      source: "heuristic",
      heuristic: { role: "qa" },
    });
    // Parts go to specialists: the Coordinator is no arm of theirs.
    expect(preview.estimates.map((estimate) => estimate.role)).not.toContain("coordinator");
    const named = RoutePreviewSchema.parse(
      JSON.parse((await cca(["rl", "policy", "--role", "dba", "Add an index", "--json"])).stdout),
    );
    expect(named).toMatchObject({ policy: "task", role: "dba", source: "override" });
  });

  it("refuses --part without --role and a blank description, exiting 2", async () => {
    const noRole = await cca(["rl", "policy", "--part", "Add the orders table"]);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain(
      "Usage error: --part needs --role: the role the delegating agent asks for",
    );
    const blank = await cca(["rl", "policy", " "]);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain("Usage error: The description must not be empty.");
  });
});

describe("cca rl export", () => {
  it("prints every experience as JSON lines, oldest first, and says how many on stderr", async () => {
    await seedDecisions();
    const result = await cca(["rl", "export"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("Exported 4 experiences.\n");
    const items = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => RoutingExperienceSchema.parse(JSON.parse(line)));
    expect(items.map((item) => [item.role, item.source])).toEqual([
      ["backend", "override"],
      ["backend", "override"],
      ["coordinator", "heuristic"],
      ["coordinator", "heuristic"],
    ]);
  });

  it("pages through more experiences than one request returns, into --output", async () => {
    const repository = new RoutingExperienceRepository(test.database);
    for (let index = 0; index < 501; index += 1) {
      await repository.record({
        policy: "part",
        task_id: `task_${index}`,
        project: null,
        state: { cluster: 0, clusters: 8, size: 3, keywords: [], load: {}, successRate: {}, spend: 0 },
        features: [1],
        role: "backend",
        tier: "standard",
        heuristic_role: "backend",
        heuristic_tier: "standard",
        source: "heuristic",
        explanation: "routed to backend (heuristic)",
      });
    }
    const file = join(test.home, "experiences.jsonl");
    const result = await cca(["rl", "export", "--output", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`Exported 501 experiences to ${file}.\n`);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const taskIds = lines.map((line) => RoutingExperienceSchema.parse(JSON.parse(line)).task_id);
    expect(new Set(taskIds).size).toBe(501);
  });

  it("writes an empty file when there is nothing to export, and names a file it cannot write", async () => {
    const file = join(test.home, "none.jsonl");
    expect(await cca(["rl", "export", "-o", file])).toEqual({
      code: 0,
      stdout: "",
      stderr: `Exported 0 experiences to ${file}.\n`,
    });
    expect(readFileSync(file, "utf8")).toBe("");
    const missing = join(test.home, "no-such-folder", "out.jsonl");
    const refused = await cca(["rl", "export", "-o", missing]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^cca: Cannot write the experiences to ${missing} \\(ENOENT`));
  });
});

describe("cca rl --help", () => {
  it("describes the group, its sources, and each command with examples", async () => {
    const group = await cca(["rl", "--help"]);
    expect(group.stdout).toContain("Learned routing: which role the router picks");
    expect(group.stdout).toContain("override   a role a person named (cca task create --role)");
    for (const command of ["stats", "train", "policy", "export"]) {
      const help = await cca(["rl", command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Examples:\n  cca rl ${command}`);
    }
    expect((await cca(["rl"])).stderr).toContain("Name an rl command: stats, train, policy or export.");
  });
});
