// A thousand queued tasks through one daemon, and through two sharing work (Redis and one
// PostgreSQL database): how long until all have ended, and whether every task reached the
// model exactly once (none lost, none run twice).
import { randomUUID } from "node:crypto";
import { type Task, TaskSchema } from "@cca/core";
import { type CcadProcess, startCcad } from "../support/ccad-process.js";
import { startCountingMock } from "./bench-mock.js";
import { countOption } from "./options.js";
import { prepareStorage, stopAndRemove } from "./storage-setups.js";

const TASKS = countOption("BENCH_QUEUE_TASKS", 1000);
/** Submits in flight at once while the queue fills. */
const SUBMITTERS = countOption("BENCH_QUEUE_SUBMITTERS", 8);
/** The longest wait for every task to end before the figures are printed anyway. */
const TIMEOUT_S = countOption("BENCH_QUEUE_TIMEOUT_S", 600);
const DAEMON_COUNTS = [1, 2];
const ENDED = new Set(["completed", "failed", "cancelled", "interrupted"]);

interface QueueRun {
  daemons: number;
  submitSeconds: number;
  completionSeconds: number;
  lost: number;
  duplicated: number;
  /** Tasks that ended completed without their turn reaching the mock. */
  unreached: number;
  /** How many tasks each daemon's Coordinator ran. */
  split: number[];
}

/** Submits `count` tasks, in turn to each daemon, `SUBMITTERS` at a time; resolves with their ids. */
async function submitAll(daemons: CcadProcess[], description: (index: number) => string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const submitter = async () => {
    for (let index = next++; index < TASKS; index = next++) {
      const task = await daemons[index % daemons.length]!.client.createTask({
        description: description(index),
      });
      ids[index] = task.id;
    }
  };
  await Promise.all(Array.from({ length: SUBMITTERS }, submitter));
  return ids;
}

/** Every task in the (scratch) database, page by page. */
async function listAllTasks(ccad: CcadProcess): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const query: string = `limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(`${ccad.url}/api/v1/tasks?${query}`, {
      headers: { authorization: `Bearer ${ccad.token}` },
    });
    if (!response.ok)
      throw new Error(`GET /api/v1/tasks answered ${response.status}: ${await response.text()}`);
    tasks.push(...TaskSchema.array().parse(await response.json()));
    cursor = response.headers.get("x-next-cursor");
  }
  return tasks;
}

/** Polls the shared counts until `count` tasks have ended, or the timeout. */
async function waitUntilEnded(ccad: CcadProcess, count: number): Promise<void> {
  const deadline = Date.now() + TIMEOUT_S * 1000;
  for (;;) {
    const { by_status } = (await ccad.client.status()).tasks;
    const ended = Object.entries(by_status).reduce(
      (sum, [status, n]) => sum + (ENDED.has(status) ? n : 0),
      0,
    );
    if (ended >= count) return;
    if (Date.now() > deadline) {
      console.log(
        `  gave up waiting after ${TIMEOUT_S} s (BENCH_QUEUE_TIMEOUT_S): ${ended} of ${count} ended`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function drain(daemonCount: number): Promise<QueueRun> {
  const storage = await prepareStorage("postgres+redis");
  const run = randomUUID().slice(0, 8);
  const description = (index: number) => `queue bench ${run} task ${index}`;
  const pattern = new RegExp(`queue bench ${run} task \\d+`);
  const { mock, counts } = await startCountingMock((request) => pattern.exec(request.lastUserText)?.[0]);
  const daemons: CcadProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: daemonCount }, async () => {
        daemons.push(await startCcad({ mockUrl: mock.url, env: storage.env }));
      }),
    );
    // Each daemon's Coordinator is up before the clock starts: the figure is the queue's, not Claude Code's start.
    const coordinators = await Promise.all(daemons.map((ccad) => ccad.client.spawnAgent("coordinator")));
    const started = Date.now();
    const ids = await submitAll(daemons, description);
    const submitSeconds = (Date.now() - started) / 1000;
    await waitUntilEnded(daemons[0]!, ids.length);
    const byId = new Map((await listAllTasks(daemons[0]!)).map((task) => [task.id, task]));
    const ours = ids.map((id) => byId.get(id));
    const completed = ours.filter((task) => task?.status === "completed");
    const lastEnd = Math.max(
      started,
      ...ours.map((task) => (task?.finished_at ? Date.parse(task.finished_at) : 0)),
    );
    return {
      daemons: daemonCount,
      submitSeconds,
      completionSeconds: (lastEnd - started) / 1000,
      lost: TASKS - completed.length,
      duplicated: [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      unreached: completed.filter((task) => !counts.has(task!.description)).length,
      split: coordinators.map((agent) => completed.filter((task) => task!.agent_id === agent.id).length),
    };
  } finally {
    await Promise.all(daemons.map(stopAndRemove));
    await mock.close();
    await storage.remove();
  }
}

const COLUMNS = ["daemons", "submit s", "all ended s", "tasks/s", "lost", "duplicated", "ran per daemon"];

function tableRow(cells: (string | number)[]): string {
  return cells
    .map((cell, index) => String(cell).padStart(index === 0 ? 7 : COLUMNS[index]!.length + 2))
    .join("");
}

/** Prints the table; returns the summary lines. */
export async function runQueueThroughput(): Promise<string[]> {
  console.log(
    `\n${TASKS} queued tasks, PostgreSQL + Redis (BullMQ), Coordinators started beforehand, mock answers at once`,
  );
  const runs: QueueRun[] = [];
  for (const daemons of DAEMON_COUNTS) runs.push(await drain(daemons));
  console.log(tableRow(COLUMNS));
  for (const run of runs) {
    console.log(
      tableRow([
        run.daemons,
        run.submitSeconds.toFixed(1),
        run.completionSeconds.toFixed(1),
        (TASKS / run.completionSeconds).toFixed(1),
        run.lost,
        run.duplicated,
        run.split.join(" / "),
      ]),
    );
    if (run.unreached > 0)
      console.log(`  ${run.unreached} tasks completed without their turn reaching the mock`);
  }
  return runs.map(
    (run) =>
      `${TASKS} tasks on ${run.daemons} daemon${run.daemons > 1 ? "s" : ""}: all ended in ${run.completionSeconds.toFixed(1)} s (${(TASKS / run.completionSeconds).toFixed(1)} tasks/s), lost ${run.lost}, duplicated ${run.duplicated}`,
  );
}
