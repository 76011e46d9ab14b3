import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import type { PtyProcess, PtySession, PtyViewer, ViewerFrame } from "../src/index.js";

/** The absolute path of a fixture program in test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

const running = new Set<PtyProcess>();

/** Kills, after each test, every process handed to it. */
export function cleanUp<T extends PtyProcess | PtySession>(target: T): T {
  running.add("process" in target ? target.process : target);
  return target;
}

afterEach(async () => {
  const processes = [...running];
  running.clear();
  await Promise.all(processes.map((process) => process.kill({ graceMs: 0 })));
});

/** Everything a process prints, from now on, with a way to wait for some of it. */
export function recordOutput(process: PtyProcess) {
  let text = "";
  const waiters = new Set<() => void>();
  process.onData((data) => {
    text += data;
    for (const waiter of waiters) waiter();
  });
  process.onExit(() => {
    for (const waiter of waiters) waiter();
  });
  return {
    get text() {
      return text;
    },
    /** Resolves once the output contains `needle`; rejects after `timeoutMs` or if the process exits first. */
    waitFor(needle: string, timeoutMs = 5000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (text.includes(needle)) {
            done();
            resolve(text);
          } else if (process.exit) {
            done();
            reject(
              new Error(
                `exited (${JSON.stringify(process.exit)}) before printing ${JSON.stringify(needle)}; output (end): ${JSON.stringify(text.slice(-500))}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `no ${JSON.stringify(needle)} within ${timeoutMs} ms; output (end): ${JSON.stringify(text.slice(-500))}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The viewer's next frame; rejects if none comes within `timeoutMs` or the stream has ended. */
export async function nextFrame(viewer: PtyViewer, timeoutMs = 5000): Promise<ViewerFrame> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`viewer ${viewer.id}: no frame within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([viewer.next(), deadline]);
    if (result.done) throw new Error(`viewer ${viewer.id} ended: ${viewer.closeReason?.message}`);
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads frames until one matches `stop` (included), or fails after `timeoutMs` in all. */
export async function readFramesUntil(
  viewer: PtyViewer,
  stop: (frame: ViewerFrame, output: string) => boolean,
  timeoutMs = 5000,
): Promise<{ frames: ViewerFrame[]; output: string }> {
  const frames: ViewerFrame[] = [];
  let output = "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await nextFrame(viewer, Math.max(1, deadline - Date.now())).catch((error: Error) => {
      throw new Error(`${error.message}; output so far: ${JSON.stringify(output.slice(-500))}`);
    });
    frames.push(frame);
    if (frame.type === "output") output += frame.data;
    if (stop(frame, output)) return { frames, output };
  }
}

/** Reads every frame until the stream ends. */
export async function readToEnd(viewer: PtyViewer, timeoutMs = 5000): Promise<ViewerFrame[]> {
  const frames: ViewerFrame[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`viewer ${viewer.id} did not end within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    for (;;) {
      const result = await Promise.race([viewer.next(), deadline]);
      if (result.done) return frames;
      frames.push(result.value);
    }
  } finally {
    clearTimeout(timer);
  }
}
