import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AgentSchema, DaemonStatusSchema } from "@cca/core";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { isProcessAlive, resolveDaemonEntry } from "../src/index.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

const silentDaemon = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "silent-ccad.mjs");
const realDaemonBuilt = existsSync(join(dirname(resolveDaemonEntry()), "..", "dist", "main.js"));

/** Every pid a test started; afterAll makes sure none outlives the suite. */
const startedPids = new Set<number>();
let home: string;
let port: number;

afterAll(() => {
  for (const pid of startedPids) if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
});

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), "cca-cli-daemon-"));
  port = await freePort();
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const pidFile = () => join(home, "ccad.pid");
const logFile = () => join(home, "ccad.log");

function cca(args: string[], options: Parameters<typeof runCca>[1] = {}) {
  return runCca(args, {
    cwd: home,
    ...options,
    env: {
      CCA_HOME: home,
      CCA__DAEMON__BIND_ADDRESS: `127.0.0.1:${port}`,
      CCA__AGENTS__CLAUDE_PATH: join(home, "no-claude-here"),
      ...options.env,
    },
  });
}

function rememberPid(): number {
  const pid = Number(readFileSync(pidFile(), "utf8").trim());
  startedPids.add(pid);
  return pid;
}

describe.skipIf(!realDaemonBuilt)("cca daemon with the real ccad", () => {
  it("starts, answers, serves the CLI, and stops", async () => {
    const started = await cca(["daemon", "start"]);
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const pid = rememberPid();
    expect(started.stdout).toContain(`started at http://127.0.0.1:${port} (pid ${pid})`);
    expect(isProcessAlive(pid)).toBe(true);
    expect(existsSync(logFile())).toBe(true);
    expect(existsSync(join(home, "token"))).toBe(true);

    const status = await cca(["daemon", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running at http://127.0.0.1:${port} (pid ${pid},`);
    const statusJson = await cca(["daemon", "status", "--json"]);
    expect(DaemonStatusSchema.parse(JSON.parse(statusJson.stdout)).pid).toBe(pid);

    const agents = await cca(["agent", "list", "--json"]);
    expect(agents.code).toBe(0);
    expect(AgentSchema.array().parse(JSON.parse(agents.stdout))).toEqual([]);

    const missing = await cca(["task", "status", "nope"]);
    expect(missing.code).toBe(5);

    const again = await cca(["daemon", "start"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `is already running at http://127.0.0.1:${port} (pid ${pid}); not starting another.`,
    );

    const logs = await cca(["daemon", "logs", "-n", "1"]);
    expect(logs.stdout).toContain("ccad listening");

    const stopped = await cca(["daemon", "stop"]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toBe(`Stopped ccad (pid ${pid}).\n`);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(pidFile())).toBe(false);

    const after = await cca(["daemon", "status"]);
    expect(after.code).toBe(3);
    expect(after.stderr).toContain(`ccad is not running at http://127.0.0.1:${port}.`);

    const stopAgain = await cca(["daemon", "stop"]);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toContain("ccad is not running");
  });

  it("binds the port of --daemon-url when one is given", async () => {
    const otherPort = await freePort();
    const url = `http://127.0.0.1:${otherPort}`;

    const started = await cca(["daemon", "start", "--daemon-url", url]);
    rememberPid();
    expect(started.code).toBe(0);

    expect((await cca(["daemon", "status", "--daemon-url", url])).code).toBe(0);
    expect((await cca(["daemon", "status"])).code).toBe(3);
    expect((await cca(["daemon", "stop"])).code).toBe(0);
  });

  it("reports the log's last lines when ccad exits at once (bad config)", async () => {
    // With an explicit URL the CLI itself needs no config, so the bad key reaches ccad.
    const result = await cca(["daemon", "start"], {
      env: { CCA__DAEMON__MAX_AGENTS: "0", CCA_DAEMON_URL: `http://127.0.0.1:${port}` },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ccad exited (code 78) before it answered");
    expect(result.stderr).toContain(`Last lines of ${logFile()}:`);
    expect(result.stderr).toContain("daemon.max_agents");
    expect(existsSync(pidFile())).toBe(false);
  });

  it("reports the log's last lines when the port is taken", async () => {
    const blocker = await listenOn(port);
    try {
      const result = await cca(["daemon", "start"]);

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ccad exited \(code 1\) before it answered/);
      expect(result.stderr).toMatch(/EADDRINUSE|in use/);
    } finally {
      blocker.close();
    }
  });

  it("--foreground runs ccad with its output here until interrupted", async () => {
    const controller = new AbortController();
    const stderr = createCapturedOutput();
    const running = cca(["daemon", "start", "--foreground"], { signal: controller.signal, stderr });
    await stderr.waitFor("ccad listening");
    rememberPid();

    expect((await cca(["daemon", "status"])).code).toBe(0);
    controller.abort();

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("stopped");
    expect(existsSync(pidFile())).toBe(false);
  });
});

describe("cca daemon with a ccad that misbehaves (fixture)", () => {
  it("gives up after --timeout when ccad never answers, and stops it", async () => {
    const result = await cca(["daemon", "start", "--timeout", "0.5"], { daemonEntry: silentDaemon });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `did not answer at http://127.0.0.1:${port} within 0.5 s, so it was stopped.`,
    );
    expect(result.stderr).toContain("silent ccad: up, not listening");
    expect(existsSync(pidFile())).toBe(false);
  });

  it("refuses to start a second ccad while the first is alive but silent", async () => {
    const child = spawn(process.execPath, [silentDaemon], { stdio: "ignore" });
    startedPids.add(child.pid!);
    writeFileSync(pidFile(), `${child.pid}\n`);
    try {
      const result = await cca(["daemon", "start"], { daemonEntry: silentDaemon });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `ccad (pid ${child.pid}, from ${pidFile()}) is running but does not answer`,
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("stop sends SIGKILL when SIGTERM is ignored past --grace", async () => {
    const child = spawn(process.execPath, [silentDaemon], {
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, SILENT_CCAD_IGNORE_SIGTERM: "1" },
    });
    startedPids.add(child.pid!);
    await new Promise((resolve) => child.stdout.once("data", resolve));
    writeFileSync(pidFile(), `${child.pid}\n`);

    const result = await cca(["daemon", "stop", "--grace", "0.2"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`ccad (pid ${child.pid}) did not stop within 0.2 s of SIGTERM; killed it.\n`);
    expect(isProcessAlive(child.pid!)).toBe(false);
    expect(existsSync(pidFile())).toBe(false);
  });

  it("status exits 3 and calls a pid file stale when its process is gone", async () => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    writeFileSync(pidFile(), `${child.pid}\n`);

    const result = await cca(["daemon", "status"]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${pidFile()} is stale (pid ${child.pid} is gone).`);
  });
});

describe("cca daemon logs", () => {
  it("prints the last -n lines", async () => {
    writeFileSync(logFile(), "one\ntwo\nthree\nfour\n");

    const result = await cca(["daemon", "logs", "-n", "2"]);

    expect(result).toEqual({ code: 0, stdout: "three\nfour\n", stderr: "" });
  });

  it("--follow keeps printing what is appended until interrupted", async () => {
    writeFileSync(logFile(), "old line\nlast line\n");
    const controller = new AbortController();
    const stdout = createCapturedOutput();
    const running = cca(["daemon", "logs", "-n", "1", "--follow"], { signal: controller.signal, stdout });
    await stdout.waitFor("last line\n");

    appendFileSync(logFile(), "new line\n");
    await stdout.waitFor("new line\n");
    controller.abort();

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("last line\nnew line\n");
  });

  it("exits 1 saying where the log should be when there is none", async () => {
    const result = await cca(["daemon", "logs"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`There is no daemon log at ${logFile()} yet`);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
}

function listenOn(busyPort: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(busyPort, "127.0.0.1", () => resolve(server));
  });
}
