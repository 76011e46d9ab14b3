// The agent runtime, measured with the real Claude Code CLI against the mock Messages API:
// spawn-to-ready of both drivers beside a bare `claude` started by hand, keystroke-to-echo
// through `attach`, and a team task (Coordinator + 2 parts) cold and with the warm pool,
// broken down into agent starts, Claude Code's turns, delegation and the daemon.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ActivityEvent, agentAttachPath, type Task, type TaskTree } from "@cca/core";
import {
  claudeTestEnv,
  createMockAnthropic,
  type MockAnthropic,
  type RecordedRequest,
  resolveClaudeBinary,
} from "@cca/mock-anthropic";
import { screenShows, spawnPtySession } from "@cca/pty";
import WebSocket from "ws";
import { activityUntil } from "../support/activity.js";
import { type CcadProcess, startCcad } from "../support/ccad-process.js";
import { bareClaudeSpawnToReady, bareClaudeTurn } from "./bare-claude.js";
import { INSTANT_REPLY } from "./bench-mock.js";
import { countOption } from "./options.js";
import { HEADER, p50, row } from "./stats.js";
import { stopAndRemove } from "./storage-setups.js";

const SPAWN_RUNS = countOption("BENCH_RUNTIME_SPAWN_RUNS", 8);
const KEYSTROKES = countOption("BENCH_KEYSTROKES", 100);
const TEAM_RUNS = countOption("BENCH_TEAM_RUNS", 5);
/** Team tasks after the first on each warm daemon: its steady state (code paths warmed up, agents idle). */
const STEADY_TASKS = countOption("BENCH_TEAM_STEADY", 4);
const DELEGATE = "mcp__cca__cca_delegate";

/** Prints the tables; returns the summary lines. */
export async function runAgentRuntime(): Promise<string[]> {
  const mock = await teamMock();
  const home = mkdtempSync(join(tmpdir(), "cca-bench-runtime-"));
  try {
    const spawn = await spawnToReady(mock, home);
    const turnOverhead = await claudeTurnOverhead(mock, home);
    const echo = await keystrokeToEcho(mock);
    const { first: cold } = await teamTasks(mock, null);
    const warmConfig = join(home, "warm.toml");
    writeFileSync(warmConfig, "[agents]\nwarm = { coordinator = 1, backend = 1, qa = 1 }\n");
    const { first: warm, steady, newProject } = await teamTasks(mock, warmConfig);
    const columns: [string, Breakdown][] = [
      ["cold", cold],
      ["warm pool", warm],
      ["steady", steady],
      ["new project", newProject],
    ];
    console.log("\nTeam task on the mock: Coordinator + backend + qa in parallel (ms, p50 over runs)");
    console.log(`${"".padEnd(40)}${columns.map(([name]) => name.padStart(12)).join("")}`);
    for (const key of Object.keys(cold) as (keyof Breakdown)[]) {
      const cells = columns.map(([, figures]) => p50(figures[key]).toFixed(0).padStart(12));
      console.log(`${BREAKDOWN_LABELS[key].padEnd(40)}${cells.join("")}`);
    }
    console.log(
      "cold: a fresh daemon's first task, every agent started for it; warm pool: a fresh daemon's first task, its agents started beforehand (agents.warm); steady: the later tasks of those daemons; new project: then a task in a project they had not seen, whose pool starts with it",
    );
    // The cold goal: no more than one bare start beyond the longest chain of turns.
    const beyondTurns = (figures: Breakdown) =>
      p50(figures.wall.map((wall, run) => wall - figures.coordinatorTurns[run]! - figures.partTurns[run]!));
    return [
      `spawn-to-ready p50: bare claude -p ${p50(spawn.bareHeadless).toFixed(0)} ms, bare TUI ${p50(spawn.bareTui).toFixed(0)} ms, ccad headless ${p50(spawn.headless).toFixed(0)} ms, ccad interactive ${p50(spawn.interactive).toFixed(0)} ms`,
      `keystroke-to-echo through attach p50 ${p50(echo).toFixed(1)} ms`,
      `team task p50: cold ${p50(cold.wall).toFixed(0)} ms, warm pool ${p50(warm.wall).toFixed(0)} ms, steady ${p50(steady.wall).toFixed(0)} ms, new project ${p50(newProject.wall).toFixed(0)} ms; CCA's share beyond Claude Code's turns and starts: cold ${p50(cold.cca).toFixed(0)} ms, warm pool ${p50(warm.cca).toFixed(0)} ms, steady ${p50(steady.cca).toFixed(0)} ms, new project ${p50(newProject.cca).toFixed(0)} ms`,
      `team task beyond its chain of turns p50: cold ${beyondTurns(cold).toFixed(0)} ms, new project ${beyondTurns(newProject).toFixed(0)} ms (one bare claude -p start: ${p50(spawn.bareHeadless).toFixed(0)} ms)`,
      `bare claude -p turn beyond its duration_ms, by hand: later turns p50 ${turnOverhead.toFixed(0)} ms (the first turn's is printed above)`,
    ];
  } finally {
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role}`);

/** Team tasks delegate a backend and a qa part at once and combine their answers; everything else answers at once. */
async function teamMock(): Promise<MockAnthropic> {
  const mock = await createMockAnthropic();
  const coordinator = isRole("Coordinator of a CCA team.");
  mock.on({
    when: (r) => coordinator(r) && r.lastUserText.startsWith("team task") && r.toolResults.length === 0,
    reply: {
      toolUses: [
        { name: DELEGATE, input: { role: "backend", task: "bench backend part" } },
        { name: DELEGATE, input: { role: "qa", task: "bench qa part" } },
      ],
      usage: { input_tokens: 100, output_tokens: 10 },
    },
  });
  mock.on({
    when: () => {
      // The mock keeps every request; a benchmark of many turns must not.
      if (mock.requests.length > 50) mock.requests.splice(0);
      return true;
    },
    reply: INSTANT_REPLY,
  });
  return mock;
}

async function spawnToReady(
  mock: MockAnthropic,
  home: string,
): Promise<{ bareHeadless: number[]; bareTui: number[]; headless: number[]; interactive: number[] }> {
  const claudePath = resolveClaudeBinary();
  const env = { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home, trustedDirectories: [home] }) };
  const ccad = await startCcad({ mockUrl: mock.url });
  const figures = {
    bareHeadless: [] as number[],
    bareTui: [] as number[],
    headless: [] as number[],
    interactive: [] as number[],
  };
  try {
    for (let run = 0; run < SPAWN_RUNS; run++) {
      figures.bareHeadless.push(await bareClaudeSpawnToReady(claudePath, env, home));
      figures.bareTui.push(await bareTuiToReady(claudePath, env, home));
      for (const driver of ["headless", "interactive"] as const) {
        const started = performance.now();
        const agent = await ccad.client.spawnAgent("backend", { driver });
        figures[driver].push(performance.now() - started);
        await ccad.client.stopAgent(agent.id);
      }
    }
  } finally {
    await stopAndRemove(ccad);
  }
  console.log("\nAgent spawn-to-ready, both drivers, beside Claude Code started by hand");
  console.log(HEADER);
  console.log(row("bare claude -p (stream-json initialize answered)", figures.bareHeadless));
  console.log(row("bare claude TUI in a PTY (input box drawn)", figures.bareTui));
  console.log(row("ccad headless agent (POST /agents, bridge connected)", figures.headless));
  console.log(row("ccad interactive agent (SessionStart hook)", figures.interactive));
  return figures;
}

/**
 * Bare `claude -p` turns by hand, one process: the wall time of each beside the
 * `duration_ms` it reports. Returns the p50 difference of the later turns; the first
 * turn's is printed apart (Claude Code sets up its tools and MCP servers then).
 */
async function claudeTurnOverhead(mock: MockAnthropic, home: string): Promise<number> {
  const env = { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) };
  const { wallMs, durationMs } = await bareClaudeTurn(resolveClaudeBinary(), env, home, SPAWN_RUNS * 2 + 1);
  const overhead = wallMs.map((wall, turn) => wall - (durationMs[turn] ?? 0));
  console.log("\nTurns of one bare claude -p, by hand (the mock answers at once)");
  console.log(HEADER);
  console.log(row("first turn: user line written to result line", wallMs.slice(0, 1)));
  console.log(row("first turn: beyond the duration_ms it reports", overhead.slice(0, 1)));
  console.log(row("later turns: user line written to result line", wallMs.slice(1)));
  console.log(row("later turns: beyond the duration_ms they report", overhead.slice(1)));
  return p50(overhead.slice(1));
}

/** The TUI in a PTY, by hand: milliseconds until its input box (an empty `❯` line) is drawn. */
async function bareTuiToReady(claudePath: string, env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  const session = spawnPtySession(claudePath, [], { cwd, env, cols: 120, rows: 40 });
  try {
    await screenShows(session, "❯");
    return performance.now() - started;
  } finally {
    await session.kill({ graceMs: 1_000 });
  }
}

/** Milliseconds from a key sent over the attach WebSocket to the TUI's output that echoes it. */
async function keystrokeToEcho(mock: MockAnthropic): Promise<number[]> {
  const ccad = await startCcad({ mockUrl: mock.url });
  const samples: number[] = [];
  try {
    const agent = await ccad.client.spawnAgent("backend", { driver: "interactive" });
    const socket = new WebSocket(`${ccad.url.replace(/^http/, "ws")}${agentAttachPath(agent.id)}`, {
      headers: { authorization: `Bearer ${ccad.token}` },
    });
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    let onOutput: (() => void) | null = null;
    socket.on("message", (_data, isBinary) => {
      if (isBinary) onOutput?.();
    });
    // The first screen and the TUI's own redraws settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let key = 0; key < KEYSTROKES; key++) {
      // A letter, then Backspace, so the input box stays one line.
      const echoed = new Promise<void>((resolve) => {
        onOutput = resolve;
      });
      const sent = performance.now();
      socket.send(Buffer.from(key % 2 === 0 ? "x" : "\x7f"));
      await echoed;
      samples.push(performance.now() - sent);
      onOutput = null;
      // Let the TUI finish redrawing, so the next key's echo is not this one's tail.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.close();
  } finally {
    await stopAndRemove(ccad);
  }
  console.log("\nKeystroke-to-echo through attach (WebSocket → daemon → PTY → TUI → back)");
  console.log(HEADER);
  console.log(row("interactive agent, one key", samples));
  return samples;
}

interface Breakdown {
  wall: number[];
  starts: number[];
  coordinatorTurns: number[];
  partTurns: number[];
  delegation: number[];
  daemon: number[];
  cca: number[];
}

const BREAKDOWN_LABELS: Record<keyof Breakdown, string> = {
  wall: "end to end (submit to completed)",
  starts: "agent starts on the critical path",
  coordinatorTurns: "Coordinator's own turns (Claude Code)",
  partTurns: "longest part's turn (Claude Code)",
  delegation: "delegation beyond the parts' start+turn",
  daemon: "daemon: submit, queue, record the answer",
  cca: "CCA's share beyond turns and starts",
};

/**
 * Team tasks, the first of each on a fresh daemon: cold (every agent starts), or with
 * `warmConfig`'s warm pool filled first, when STEADY_TASKS more follow on the same daemon,
 * then one in a project it has not seen (whose pool starts with that task).
 */
async function teamTasks(
  mock: MockAnthropic,
  warmConfig: string | null,
): Promise<{ first: Breakdown; steady: Breakdown; newProject: Breakdown }> {
  const env: Record<string, string> = warmConfig ? { CCA_CONFIG: warmConfig } : {};
  const first = emptyBreakdown();
  const steady = emptyBreakdown();
  const newProject = emptyBreakdown();
  let task = 0;
  for (let run = 0; run < TEAM_RUNS; run++) {
    const ccad = await startCcad({ mockUrl: mock.url, env });
    try {
      if (warmConfig) await warmAgentsReady(ccad, 3);
      add(first, await timedTeamTask(ccad, task++));
      for (let later = 0; warmConfig && later < STEADY_TASKS; later++) {
        // At rest first: the warm pool refilled, no agent starting.
        await agentsAtRest(ccad);
        add(steady, await timedTeamTask(ccad, task++));
      }
      if (warmConfig) {
        // A project the daemon has not seen: its pool starts with its first task.
        await agentsAtRest(ccad);
        const project = mkdtempSync(join(tmpdir(), "cca-bench-project-"));
        try {
          add(newProject, await timedTeamTask(ccad, task++, project));
        } finally {
          rmSync(project, { recursive: true, force: true });
        }
      }
    } finally {
      await stopAndRemove(ccad);
    }
  }
  return { first, steady, newProject };
}

/** One team task (in `project`, if given), end to end, with its breakdown. */
async function timedTeamTask(
  ccad: CcadProcess,
  n: number,
  project?: string,
): Promise<Record<keyof Breakdown, number>> {
  const started = performance.now();
  const { task } = await ccad.client.createTaskAndWait({
    description: `team task ${n}`,
    timeout_s: 120,
    ...(project ? { project_dir: project } : {}),
  });
  const wall = performance.now() - started;
  if (task.status !== "completed")
    throw new Error(`team task ended ${task.status}: ${JSON.stringify(task.error)}`);
  const tree = await ccad.client.getTaskTree(task.id);
  const events = await activityUntil(
    ccad,
    (event) => event.kind === "task.completed" && event.task_id === task.id,
  );
  return breakdown(wall, tree, events);
}

function emptyBreakdown(): Breakdown {
  return { wall: [], starts: [], coordinatorTurns: [], partTurns: [], delegation: [], daemon: [], cca: [] };
}

/** Resolves once no agent of the daemon is starting. */
async function agentsAtRest(ccad: CcadProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await ccad.client.listAgents()).some((agent) => agent.state === "starting")) {
    if (Date.now() > deadline) throw new Error("agents were still starting after 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once `count` agents are ready (the warm pool filled). */
async function warmAgentsReady(ccad: CcadProcess, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await ccad.client.listAgents()).filter((agent) => agent.state === "ready").length < count) {
    if (Date.now() > deadline) throw new Error(`the warm pool did not fill ${count} agents within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function breakdown(wall: number, tree: TaskTree, events: ActivityEvent[]): Record<keyof Breakdown, number> {
  const top: Task = tree;
  const parts = tree.subtasks;
  const at = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  // Only what happened once the task was queued: warm agents were spawned before it.
  const queued = events.find((e) => e.kind === "task.queued" && e.task_id === top.id)?.seq ?? 0;
  // The part of an agent's start that something waited for: from `waitedFrom` (or its
  // spawn, if later) until it was up. A start before the task (warm, idle) counts nothing.
  const startOf = (agentId: string | null, waitedFrom = Number.NEGATIVE_INFINITY): number => {
    const spawned = events.find(
      (e) => e.kind === "agent.spawned" && e.agent_id === agentId && e.seq > queued,
    );
    if (!spawned) return 0;
    const up = events.find(
      (e) =>
        e.agent_id === agentId &&
        e.seq > spawned.seq &&
        e.kind === "agent.state" &&
        /: (ready|busy)$/.test(e.summary),
    );
    return up ? Math.max(0, at(up.at) - Math.max(at(spawned.at), waitedFrom)) : 0;
  };
  // A part's agent may have started with the task (a new project's warm pool): only what is
  // left of its start once the part was delegated counts.
  const partStart = Math.max(0, ...parts.map((part) => startOf(part.agent_id, at(part.created_at))));
  const coordinatorStart = startOf(top.agent_id);
  const partTurns = Math.max(0, ...parts.map((part) => part.agent_duration_ms ?? 0));
  const delegationWall =
    Math.max(...parts.map((part) => at(part.finished_at))) -
    Math.min(...parts.map((part) => at(part.created_at)));
  const coordinatorTurns = (top.agent_duration_ms ?? 0) - delegationWall;
  const delegation = delegationWall - partStart - partTurns;
  const daemon = wall - (top.agent_duration_ms ?? 0) - coordinatorStart;
  const starts = coordinatorStart + partStart;
  return {
    wall,
    starts,
    coordinatorTurns,
    partTurns,
    delegation,
    daemon,
    cca: wall - starts - coordinatorTurns - partTurns,
  };
}

function add(figures: Breakdown, sample: Record<keyof Breakdown, number>): void {
  for (const key of Object.keys(figures) as (keyof Breakdown)[]) figures[key].push(sample[key]);
}
