import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { STREAM_JSON_ARGS } from "@cca/mock-anthropic";

/**
 * Starts `claude -p` in stream-json mode by hand (no CCA code involved), writes the
 * `initialize` control request and resolves with the milliseconds until it is answered.
 */
export async function bareClaudeSpawnToReady(
  claudePath: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  const started = performance.now();
  const child = spawn(claudePath, [...STREAM_JSON_ARGS], { env, cwd, stdio: ["pipe", "pipe", "ignore"] });
  child.stdin.write(
    `${JSON.stringify({ type: "control_request", request_id: "r1", request: { subtype: "initialize" } })}\n`,
  );
  const lines = createInterface({ input: child.stdout });
  try {
    for await (const line of lines) {
      if (line.includes('"control_response"')) return performance.now() - started;
    }
    throw new Error("claude exited before answering initialize");
  } finally {
    lines.close();
    child.stdin.end();
    child.kill("SIGKILL");
  }
}

/** `claude -p "<prompt>"` by hand: milliseconds from spawn to its exit with an answer. */
export async function bareClaudeFirstAnswer(
  claudePath: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  const started = performance.now();
  const child = spawn(claudePath, ["-p", "bench ping", "--output-format", "json"], {
    env,
    cwd,
    stdio: "ignore",
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`claude -p exited with ${code}`);
  return performance.now() - started;
}

/**
 * One turn of a bare `claude -p` stream-json process started by hand (already past its
 * start-up): the milliseconds from writing the user line to its `result` line, beside the
 * `duration_ms` Claude Code reports for the same turn. The difference is Claude Code's own
 * time around a turn that its `duration_ms` leaves out.
 */
export async function bareClaudeTurn(
  claudePath: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  turns: number,
): Promise<{ wallMs: number[]; durationMs: number[] }> {
  const child = spawn(claudePath, [...STREAM_JSON_ARGS], { env, cwd, stdio: ["pipe", "pipe", "ignore"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const wallMs: number[] = [];
  const durationMs: number[] = [];
  try {
    for (let turn = 0; turn < turns; turn++) {
      const started = performance.now();
      child.stdin.write(
        `${JSON.stringify({ type: "user", message: { role: "user", content: `bench turn ${turn}` }, parent_tool_use_id: null, session_id: "" })}\n`,
      );
      for (;;) {
        const next = await lines.next();
        if (next.done) throw new Error("claude exited during a turn");
        const line = JSON.parse(next.value) as { type?: string; duration_ms?: number };
        if (line.type !== "result") continue;
        wallMs.push(performance.now() - started);
        durationMs.push(line.duration_ms ?? Number.NaN);
        break;
      }
    }
    return { wallMs, durationMs };
  } finally {
    child.stdin.end();
    child.kill("SIGKILL");
  }
}
