// Restart-to-ready: a CCA home that has seen work (ended tasks, agents with resumable
// conversations) and a daemon started on it again, timed from spawn to its "ccad listening"
// line and to its first answer to GET /api/v1/tasks; and where that time goes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCcad } from "../support/ccad-process.js";
import { startInstantMock } from "./bench-mock.js";
import { countOption } from "./options.js";
import { seedRecords } from "./seed-records.js";
import { nodeStartMs, type StartStages, stagedStart } from "./start-up-probes.js";
import { HEADER, p50, row } from "./stats.js";
import { prepareStorage, STORAGE_LABELS, type StorageKind } from "./storage-setups.js";

const RESTARTS = countOption("BENCH_RESTARTS", 5);
const SEED_TASKS = countOption("BENCH_SEED_TASKS", 1000);
const SEED_AGENTS = countOption("BENCH_SEED_AGENTS", 10);
const KINDS: StorageKind[] = ["pglite", "postgres"];
/** The target for spawn to listening, and its goal for the daemon's own part. */
const TARGET_MS = 5000;
const GOAL_OWN_MS = 1000;

interface Restarts {
  listening: number[];
  firstList: number[];
  /** The same start, stage by stage, in a probe process between the restarts. */
  stages: StartStages[];
}

async function measure(kind: StorageKind): Promise<Restarts> {
  const storage = await prepareStorage(kind);
  const home = mkdtempSync(join(tmpdir(), "cca-bench-restart-"));
  const mock = await startInstantMock();
  const target = kind === "pglite" ? { dataDir: join(home, "data") } : { postgresUrl: storage.postgresUrl };
  try {
    await seedRecords({ ...target, tasks: SEED_TASKS, agents: SEED_AGENTS });
    // Not counted: the first start writes the token and, on PostgreSQL, creates BullMQ's schema.
    await (await startCcad({ mockUrl: mock.url, home, env: storage.env })).stop();
    const restarts: Restarts = { listening: [], firstList: [], stages: [] };
    const probeEnv = { CCA_HOME: home, CCA__DAEMON__BIND_ADDRESS: "127.0.0.1:0", ...storage.env };
    for (let run = 0; run < RESTARTS; run++) {
      const started = performance.now();
      const ccad = await startCcad({ mockUrl: mock.url, home, env: storage.env });
      restarts.listening.push(performance.now() - started);
      const page = await ccad.client.listTasks();
      restarts.firstList.push(performance.now() - started);
      await ccad.stop();
      if (page.length !== Math.min(100, SEED_TASKS))
        throw new Error(
          `the restarted daemon listed ${page.length} tasks, not the first page of the seeded ones`,
        );
      restarts.stages.push(await stagedStart(probeEnv));
    }
    return restarts;
  } finally {
    await mock.close();
    rmSync(home, { recursive: true, force: true });
    await storage.remove();
  }
}

/** Prints the table; returns the summary lines. */
export async function runRestartToReady(): Promise<string[]> {
  console.log(
    `\nRestart-to-ready: ${SEED_TASKS} ended tasks and ${SEED_AGENTS} resumable agents stored, ${RESTARTS} restarts each`,
  );
  const results = new Map<StorageKind, Restarts>();
  for (const kind of KINDS) results.set(kind, await measure(kind));
  const nodeStart: number[] = [];
  for (let run = 0; run < RESTARTS; run++) nodeStart.push(await nodeStartMs());
  console.log(HEADER);
  for (const kind of KINDS) {
    const { listening, firstList } = results.get(kind)!;
    console.log(row(`${STORAGE_LABELS[kind]}: spawn to "ccad listening"`, listening));
    console.log(row(`${STORAGE_LABELS[kind]}: spawn to first GET /api/v1/tasks`, firstList));
    console.log(
      row(
        `${STORAGE_LABELS[kind]}: daemon's own part (listening - node)`,
        listening.map((ms) => ms - p50(nodeStart)),
      ),
    );
  }
  console.log(row("node start and exit alone (node -e 0)", nodeStart));
  console.log(
    "where the time goes: the same start, stage by stage, in a probe process (fixtures/staged-start.mjs)",
  );
  for (const kind of KINDS) {
    const { stages } = results.get(kind)!;
    const stage = (name: keyof StartStages) => stages.map((sample) => sample[name]);
    console.log(row(`${STORAGE_LABELS[kind]}: node bootstrap to the program`, stage("bootstrap")));
    console.log(row(`${STORAGE_LABELS[kind]}: load the daemon's modules`, stage("modules")));
    console.log(row(`${STORAGE_LABELS[kind]}: open storage (open, migrate, queue)`, stage("storageOpen")));
    console.log(row(`${STORAGE_LABELS[kind]}: createDaemon + listen (+ recovery)`, stage("listen")));
  }
  return KINDS.map((kind) => {
    const { listening, firstList } = results.get(kind)!;
    const own = p50(listening) - p50(nodeStart);
    return `restart, ${STORAGE_LABELS[kind]}: listening p50 ${p50(listening).toFixed(0)} ms (target < ${TARGET_MS}), first GET /tasks p50 ${p50(firstList).toFixed(0)} ms, daemon's own part ${own.toFixed(0)} ms (goal < ${GOAL_OWN_MS})`;
  });
}
