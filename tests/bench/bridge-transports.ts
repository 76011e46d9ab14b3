// `pnpm --filter @cca/tests bench bridge`: how long Claude Code takes from spawn to a
// connected MCP server, with no server, a Node stdio server (what `cca-mcp --agent` is at
// best) and a Streamable HTTP server inside an already running process (what a bridge
// served by the daemon would be). The figures weigh the agent bridge's transport.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { claudeTestEnv, resolveClaudeBinary, STREAM_JSON_ARGS } from "@cca/mock-anthropic";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { startInstantMock } from "./bench-mock.js";
import { countOption } from "./options.js";
import { HEADER, p50, row } from "./stats.js";

const STDIO_SERVER = fileURLToPath(new URL("./fixtures/stdio-mcp-server.mjs", import.meta.url));
/** The pause between two `mcp_status` questions. */
const POLL_MS = 10;
/** Longest wait for one Claude Code to connect its server. */
const DEADLINE_MS = 30_000;

const echoServer = (): McpServer => {
  const server = new McpServer({ name: "bench-http", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes its text", inputSchema: { text: z.string() } },
    ({ text }) => ({
      content: [{ type: "text", text }],
    }),
  );
  return server;
};

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
}

/** A stateless Streamable HTTP MCP server on a free loopback port. */
async function startHttpServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const mcp = echoServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on("close", () => {
      transport
        .close()
        .then(() => mcp.close())
        .catch(() => {});
    });
    readBody(request)
      .then(async (body) => {
        await mcp.connect(transport);
        await transport.handleRequest(request, response, body);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(400);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

/**
 * Spawns `claude -p` with `config` as its MCP config and resolves with the milliseconds until
 * `initialize` is answered and until no MCP server is pending any more (`mcp_status`).
 */
async function spawnToConnected(
  env: NodeJS.ProcessEnv,
  cwd: string,
  config: string | null,
): Promise<{ initialized: number; connected: number }> {
  const started = performance.now();
  const mcpArgs = config ? ["--mcp-config", config, "--strict-mcp-config"] : [];
  const child = spawn(resolveClaudeBinary(), [...STREAM_JSON_ARGS, ...mcpArgs], {
    env,
    cwd,
    stdio: ["pipe", "pipe", "ignore"],
  });
  const write = (request: object, id: string) =>
    child.stdin.write(`${JSON.stringify({ type: "control_request", request_id: id, request })}\n`);
  const deadline = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
  const lines = createInterface({ input: child.stdout });
  let initialized = Number.NaN;
  let polls = 0;
  try {
    write({ subtype: "initialize" }, "init");
    for await (const line of lines) {
      const message = JSON.parse(line) as {
        type?: string;
        response?: { request_id?: string; response?: { mcpServers?: { status?: string }[] } };
      };
      if (message.type !== "control_response") continue;
      if (message.response?.request_id === "init") {
        initialized = performance.now() - started;
        if (!config) return { initialized, connected: initialized };
      } else {
        const servers = message.response?.response?.mcpServers ?? [];
        if (servers.length > 0 && servers.every((server) => server.status === "connected")) {
          return { initialized, connected: performance.now() - started };
        }
        if (servers.some((server) => server.status === "failed"))
          throw new Error("the MCP server failed to connect");
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      write({ subtype: "mcp_status" }, `status-${polls++}`);
    }
    throw new Error(`claude exited (or passed ${DEADLINE_MS} ms) before its MCP server connected`);
  } finally {
    clearTimeout(deadline);
    lines.close();
    child.stdin.end();
    child.kill("SIGKILL");
  }
}

export async function runBridgeTransports(): Promise<string[]> {
  const runs = countOption("BENCH_BRIDGE_RUNS", 15);
  const mock = await startInstantMock();
  const http = await startHttpServer();
  const home = mkdtempSync(join(tmpdir(), "cca-bench-bridge-"));
  try {
    const env = { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) };
    const stdioConfig = join(home, "stdio.json");
    const httpConfig = join(home, "http.json");
    writeFileSync(
      stdioConfig,
      JSON.stringify({ mcpServers: { bench: { command: process.execPath, args: [STDIO_SERVER] } } }),
    );
    writeFileSync(
      httpConfig,
      JSON.stringify({
        mcpServers: { bench: { type: "http", url: http.url, headers: { Authorization: "Bearer x" } } },
      }),
    );
    const kinds = { none: null, stdio: stdioConfig, http: httpConfig } as const;
    const figures = {
      none: [] as number[],
      stdio: [] as number[],
      http: [] as number[],
      initialize: [] as number[],
    };
    // Interleaved, so that a slower stretch of the machine weighs on every kind alike.
    for (let run = 0; run < runs; run++) {
      for (const [kind, config] of Object.entries(kinds) as [keyof typeof kinds, string | null][]) {
        const { initialized, connected } = await spawnToConnected(env, home, config);
        figures[kind].push(connected);
        if (config) figures.initialize.push(initialized);
      }
    }
    console.log(`\nClaude Code spawn to a connected MCP server (${runs} runs each)`);
    console.log(HEADER);
    console.log(row("no MCP server (initialize answered)", figures.none));
    console.log(row("Node stdio MCP server (SDK + zod, one tool)", figures.stdio));
    console.log(row("Streamable HTTP MCP server in a running process", figures.http));
    console.log(row("initialize answered, with either server", figures.initialize));
    const beyond = (kind: "stdio" | "http") => (p50(figures[kind]) - p50(figures.none)).toFixed(0);
    return [
      `spawn to connected MCP server p50: none ${p50(figures.none).toFixed(0)} ms, stdio ${p50(figures.stdio).toFixed(0)} ms (+${beyond("stdio")}), http ${p50(figures.http).toFixed(0)} ms (+${beyond("http")})`,
    ];
  } finally {
    http.server.close();
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  }
}
