// Submit latency: `POST /api/v1/tasks` without waiting is answered 202 only once the task is
// in the database, so its time is the storage's write plus the HTTP round trip. The floor
// is an authenticated request on the same daemon that touches no database.
import { createMockAnthropic, lastUserTextIncludes } from "@cca/mock-anthropic";
import { startCcad } from "../support/ccad-process.js";
import { INSTANT_REPLY } from "./bench-mock.js";
import { countOption } from "./options.js";
import { HEADER, p50, quantile, row } from "./stats.js";
import { prepareStorage, STORAGE_LABELS, type StorageKind, stopAndRemove } from "./storage-setups.js";

const SUBMITS = countOption("BENCH_SUBMITS", 300);
const WARM_UP = countOption("BENCH_SUBMIT_WARMUP", 30);
const KINDS: StorageKind[] = ["pglite", "postgres", "postgres+redis"];
const HOLD = "bench: hold the coordinator";

interface Samples {
  submit: number[];
  floor: number[];
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * One daemon on `kind`. Its first task never gets an answer from the mock, so the
 * Coordinator (one task at a time) stays busy and every later task stays queued: the
 * submits are measured with no task running beside them.
 */
async function measure(kind: StorageKind): Promise<Samples> {
  const storage = await prepareStorage(kind);
  const mock = await createMockAnthropic();
  mock.on({ when: lastUserTextIncludes(HOLD), reply: { hang: true } });
  mock.on({ when: () => true, reply: INSTANT_REPLY });
  const ccad = await startCcad({ mockUrl: mock.url, env: storage.env });
  try {
    const { client } = ccad;
    await client.createTask({ description: HOLD });
    await mock.waitForRequest(lastUserTextIncludes(HOLD), 60_000);
    const samples: Samples = { submit: [], floor: [] };
    for (let run = 0; run < WARM_UP + SUBMITS; run++) {
      // Interleaved, so that both see the same daemon at the same moment.
      const submit = await timed(async () => {
        const task = await client.createTask({ description: `bench submit ${run}`, priority: "low" });
        if (task.status !== "queued") throw new Error(`a submitted task came back ${task.status}`);
      });
      const floor = await timed(() => client.activity());
      if (run < WARM_UP) continue;
      samples.submit.push(submit);
      samples.floor.push(floor);
    }
    return samples;
  } finally {
    await stopAndRemove(ccad);
    await mock.close();
    await storage.remove();
  }
}

/** Prints the table; returns the summary lines. */
export async function runSubmitLatency(): Promise<string[]> {
  console.log(
    `\nTask submit latency: POST /api/v1/tasks (no wait), ${SUBMITS} submits after ${WARM_UP} warm-up,`,
  );
  console.log("the Coordinator held busy so that every task stays queued");
  const results = new Map<StorageKind, Samples>();
  for (const kind of KINDS) results.set(kind, await measure(kind));
  console.log(HEADER);
  for (const kind of KINDS) console.log(row(`submit: ${STORAGE_LABELS[kind]}`, results.get(kind)!.submit));
  for (const kind of KINDS)
    console.log(row(`HTTP floor, no DB (GET /activity): ${STORAGE_LABELS[kind]}`, results.get(kind)!.floor));
  return KINDS.map((kind) => {
    const { submit, floor } = results.get(kind)!;
    return `submit, ${STORAGE_LABELS[kind]}: p50 ${p50(submit).toFixed(1)} ms, p99 ${quantile(submit, 0.99).toFixed(1)} ms (HTTP floor p50 ${p50(floor).toFixed(1)} ms)`;
  });
}
