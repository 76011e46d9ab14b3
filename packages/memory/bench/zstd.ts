// How well and how fast zstd packs Claude Code transcripts, at levels 1, 3 and 9: the
// compression ratio and MB/s (of uncompressed bytes) to compress and to decompress.
// The transcripts are real: the pinned Claude Code runs several sessions against the mock
// Messages API, reading this package's source files and running shell commands, as an agent
// would. Only if Claude Code cannot run does it fall back to synthetic JSONL, and says so.
// Run: pnpm --filter @cca/memory bench zstd
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  callTool,
  hasToolResult,
  lastUserTextIncludes,
  replyText,
  resolveClaudeBinary,
  STREAM_JSON_ARGS,
} from "@cca/mock-anthropic";
import { transcriptPath } from "../src/index.js";
import { zstdCompress as compress, zstdDecompress as decompress } from "../src/snapshots/zstd.js";
import { startClaudeOnMock } from "../test/support/claude.js";
import { print, table } from "./print.js";

const LEVELS = [1, 3, 9];
/** Turns per session; each turn reads a file or runs a command, then answers. */
const SESSIONS = [5, 20, 80];
const MIN_MEASURE_MS = 400;

interface Transcript {
  name: string;
  bytes: Buffer;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Sends one turn per prompt to a headless Claude Code and waits for each turn's result line. */
async function runSession(child: ChildProcessWithoutNullStreams, prompts: string[]): Promise<void> {
  const results: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    if (!text.trim()) return;
    const line = JSON.parse(text) as Record<string, unknown>;
    if (line.type === "result") results.shift()?.(line);
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  for (const prompt of prompts) {
    const result = new Promise<Record<string, unknown>>((resolve) => results.push(resolve));
    child.stdin.write(
      `${JSON.stringify({ type: "user", message: { role: "user", content: prompt }, parent_tool_use_id: null, session_id: "" })}\n`,
    );
    const line = await Promise.race([result, exited.then((code) => ({ exited: code }))]);
    if ("exited" in line) throw new Error(`claude exited (${line.exited}) mid-session: ${stderr}`);
    if (line.is_error) throw new Error(`a turn failed: ${JSON.stringify(line).slice(0, 300)}`);
  }
  child.stdin.end();
  await exited;
}

async function realTranscripts(): Promise<Transcript[]> {
  const cwd = realpathSync(mkdtempSync(join(tmpdir(), "cca-zstd-bench-")));
  cpSync(join(packageDir, "src"), join(cwd, "src"), { recursive: true });
  cpSync(join(packageDir, "..", "..", "migrations"), join(cwd, "migrations"), { recursive: true });
  const files = readdirSync(cwd, { recursive: true, encoding: "utf8" }).filter(
    (name) => name.endsWith(".ts") || name.endsWith(".sql"),
  );
  const claude = await startClaudeOnMock([cwd]);
  try {
    claude.mock.on({
      when: lastUserTextIncludes("read the file "),
      reply: (request) =>
        callTool("Read", { file_path: join(cwd, request.lastUserText.split("read the file ")[1] ?? "") }),
    });
    claude.mock.on({
      when: lastUserTextIncludes("run the command "),
      reply: (request) =>
        callTool("Bash", {
          command: request.lastUserText.split("run the command ")[1] ?? "true",
          description: "Look around",
        }),
    });
    claude.mock.on({
      when: hasToolResult,
      reply: (request) => {
        const output = request.toolResults[0]?.content ?? "";
        const lines = output.split("\n");
        return replyText(
          `I looked at it: ${lines.length} lines. The first ones:\n\n${lines.slice(0, 12).join("\n")}\n\n` +
            "It defines what the task needs; next I would add a test for the edge cases and run it.",
        );
      },
    });
    const transcripts: Transcript[] = [];
    for (const turns of SESSIONS) {
      const sessionId = randomUUID();
      const prompts = Array.from({ length: turns }, (_, index) =>
        index % 3 === 2
          ? `turn ${index}: run the command ls -la ${cwd}/src && wc -l ${cwd}/src/*/*.ts`
          : `turn ${index}: read the file ${files[index % files.length]}`,
      );
      const child = spawn(
        resolveClaudeBinary(),
        [...STREAM_JSON_ARGS, "--session-id", sessionId, "--allowedTools", "Read,Bash"],
        { env: claude.env, cwd, stdio: "pipe" },
      );
      await runSession(child, prompts);
      const path = transcriptPath({ claudeConfigDir: claude.claudeConfigDir, cwd, sessionId });
      transcripts.push({ name: `real, ${turns} turns`, bytes: readFileSync(path) });
    }
    return transcripts;
  } finally {
    await claude.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

function syntheticTranscripts(): Transcript[] {
  return SESSIONS.map((turns) => {
    let text = "";
    for (let index = 0; index < turns * 6; index++) {
      const line = {
        type: index % 2 ? "assistant" : "user",
        uuid: randomUUID(),
        sessionId: "synthetic",
        timestamp: new Date(1_700_000_000_000 + index * 1000).toISOString(),
        message: {
          role: index % 2 ? "assistant" : "user",
          content: [{ type: "text", text: randomBytes(400).toString("base64") }],
        },
      };
      text += `${JSON.stringify(line)}\n`;
    }
    return { name: `SYNTHETIC, ${turns} turns`, bytes: Buffer.from(text) };
  });
}

/** Runs `work` until at least MIN_MEASURE_MS have passed; resolves with ms per run. */
async function timePerRun(work: () => Promise<unknown>): Promise<number> {
  await work();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < MIN_MEASURE_MS) {
    await work();
    runs++;
  }
  return (performance.now() - started) / runs;
}

let transcripts: Transcript[];
try {
  resolveClaudeBinary();
  transcripts = await realTranscripts();
} catch (error) {
  process.stderr.write(
    `Could not make real transcripts (${(error as Error).message}); using SYNTHETIC JSONL instead.\n`,
  );
  transcripts = syntheticTranscripts();
}

const mb = (bytes: number) => bytes / 1_000_000;
const rows: string[][] = [];
for (const transcript of transcripts) {
  for (const level of LEVELS) {
    const packed = await compress(transcript.bytes, level);
    const unpacked = await decompress(packed);
    if (!unpacked.equals(transcript.bytes))
      throw new Error(`zstd level ${level} did not round-trip ${transcript.name}`);
    const compressMs = await timePerRun(() => compress(transcript.bytes, level));
    const decompressMs = await timePerRun(() => decompress(packed));
    rows.push([
      transcript.name,
      `${(transcript.bytes.length / 1024).toFixed(0)} KiB`,
      String(level),
      `${(packed.length / 1024).toFixed(0)} KiB`,
      `${(transcript.bytes.length / packed.length).toFixed(1)}x`,
      (mb(transcript.bytes.length) / (compressMs / 1000)).toFixed(0),
      (mb(transcript.bytes.length) / (decompressMs / 1000)).toFixed(0),
    ]);
  }
}
print(
  `zstd (@mongodb-js/zstd 1.2.2 native binding) on Claude Code transcripts; Node ${process.version}; MB/s of uncompressed bytes`,
);
print(
  table(["transcript", "size", "level", "compressed", "ratio", "compress MB/s", "decompress MB/s"], rows),
);
