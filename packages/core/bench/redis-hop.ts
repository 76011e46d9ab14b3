// How long one message takes from publish on one Redis connection to its handler on
// another (two daemons on one Redis). Prints p50/p99 over 1000 sequential messages.
// Run: pnpm --filter @cca/core bench (needs Redis at REDIS_URL or redis://127.0.0.1:6379).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { connectRedis, DEFAULT_REDIS_URL, quitRedis } from "../src/redis/connect.js";
import { RedisEventBus } from "../src/redis/redis-event-bus.js";

const url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const MESSAGES = 1000;
const WARMUP = 100;

function summarize(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  return `${label}: n=${sorted.length} p50=${ms(at(0.5))} p99=${ms(at(0.99))} mean=${ms(mean)} max=${ms(sorted.at(-1)!)}`;
}

/** Publish → handler on another connection, through RedisEventBus (JSON both ways). */
async function busHop(): Promise<number[]> {
  const prefix = `cca-bench:${randomUUID().slice(0, 8)}:`;
  const daemonA = await RedisEventBus.fromUrl(url, { prefix });
  const daemonB = await RedisEventBus.fromUrl(url, { prefix });
  try {
    let arrived: ((at: number) => void) | undefined;
    await daemonB.subscribe<{ i: number }>("hop", () => arrived?.(performance.now()));
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + MESSAGES; i++) {
      const received = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      const sentAt = performance.now();
      await daemonA.publish("hop", { i, task_id: "task_0123456789abcdef0123", status: "running" });
      const at = await received;
      if (i >= WARMUP) samples.push(at - sentAt);
    }
    return samples;
  } finally {
    await Promise.all([daemonA.close(), daemonB.close()]);
  }
}

/** The same hop with bare ioredis, to show what the bus adds. */
async function rawHop(): Promise<number[]> {
  const channel = `cca-bench:${randomUUID().slice(0, 8)}:raw`;
  const publisher = await connectRedis(url);
  const subscriber = await connectRedis(url);
  try {
    let arrived: ((at: number) => void) | undefined;
    subscriber.on("message", () => arrived?.(performance.now()));
    await subscriber.subscribe(channel);
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + MESSAGES; i++) {
      const received = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      const sentAt = performance.now();
      await publisher.publish(channel, String(i));
      const at = await received;
      if (i >= WARMUP) samples.push(at - sentAt);
    }
    return samples;
  } finally {
    await Promise.all([quitRedis(publisher), quitRedis(subscriber)]);
  }
}

console.log(`Redis pub/sub hop at ${url}, ${MESSAGES} messages after ${WARMUP} warm-up`);
console.log(summarize("RedisEventBus publish -> handler", await busHop()));
console.log(summarize("bare ioredis PUBLISH -> message ", await rawHop()));
