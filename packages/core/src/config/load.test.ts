import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CcaError } from "../errors/cca-error.js";
import { loadConfig, parseConfig } from "./load.js";
import { clampTimerMs, MAX_TIMER_MS, MAX_TIMER_SECONDS } from "./timer-limits.js";

function configError(load: () => unknown): CcaError {
  try {
    load();
  } catch (caught) {
    if (caught instanceof CcaError) return caught;
    throw caught;
  }
  throw new Error("the configuration was accepted");
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "cca-config-"));
}

describe("loadConfig", () => {
  it("gives every key a default when there is no file", () => {
    const home = tempDir();
    const { config, source } = loadConfig({ env: { CCA_HOME: home }, cwd: tempDir() });
    expect(source).toBeNull();
    expect(config.daemon).toMatchObject({
      bind_address: "127.0.0.1:9200",
      max_agents: 10,
      log_level: "info",
    });
    expect(config.agents).toMatchObject({
      claude_path: "claude",
      driver: "headless",
      skip_permissions: false,
    });
  });

  it("finds $CCA_CONFIG first, then ./cca.toml, then $CCA_HOME/cca.toml", () => {
    const home = tempDir();
    const cwd = tempDir();
    writeFileSync(join(home, "cca.toml"), "[daemon]\nmax_agents = 3\n");
    expect(loadConfig({ env: { CCA_HOME: home }, cwd }).config.daemon.max_agents).toBe(3);
    writeFileSync(join(cwd, "cca.toml"), "[daemon]\nmax_agents = 4\n");
    expect(loadConfig({ env: { CCA_HOME: home }, cwd }).config.daemon.max_agents).toBe(4);
    const explicit = join(tempDir(), "other.toml");
    writeFileSync(explicit, "[daemon]\nmax_agents = 5\n");
    const loaded = loadConfig({ env: { CCA_HOME: home, CCA_CONFIG: explicit }, cwd });
    expect(loaded.config.daemon.max_agents).toBe(5);
    expect(loaded.source).toBe(explicit);
  });

  it("refuses a CCA_CONFIG that does not exist", () => {
    expect(() => loadConfig({ env: { CCA_CONFIG: "/nope/cca.toml" }, cwd: tempDir() })).toThrow(
      /does not exist/,
    );
  });

  it("applies CCA__SECTION__KEY overrides with the key's type", () => {
    const { config } = loadConfig({
      env: {
        CCA_HOME: tempDir(),
        CCA__DAEMON__BIND_ADDRESS: "127.0.0.1:9311",
        CCA__DAEMON__MAX_AGENTS: "7",
        CCA__AGENTS__CLAUDE_PATH: "/opt/claude",
        CCA__AGENTS__SKIP_PERMISSIONS: "true",
        CCA__AGENTS__ENV__MY_VAR: "x",
      },
      cwd: tempDir(),
    });
    expect(config.daemon.bind_address).toBe("127.0.0.1:9311");
    expect(config.daemon.max_agents).toBe(7);
    expect(config.agents.claude_path).toBe("/opt/claude");
    expect(config.agents.skip_permissions).toBe(true);
    expect(config.agents.env).toEqual({ MY_VAR: "x" });
  });

  it("refuses a bad value naming the key, the value and what was expected", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "cca.toml"), '[daemon]\nbind_address = "localhost"\nmax_agents = "many"\n');
    const error = (() => {
      try {
        loadConfig({ env: { CCA_HOME: tempDir() }, cwd });
      } catch (caught) {
        return caught as CcaError;
      }
    })();
    expect(error).toBeInstanceOf(CcaError);
    expect(error?.code).toBe("invalid_config");
    expect(error?.message).toContain('daemon.bind_address = "localhost": expected host:port');
    expect(error?.message).toContain('daemon.max_agents = "many"');
  });

  it("refuses unknown keys and sections by name", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "cca.toml"), '[daemon]\nbind_adress = "127.0.0.1:1"\n[nope]\n');
    expect(() => loadConfig({ env: { CCA_HOME: tempDir() }, cwd })).toThrow(
      /unknown key daemon\.bind_adress/,
    );
  });

  it("refuses an environment override for an unknown section", () => {
    expect(() => loadConfig({ env: { CCA__DEAMON__X: "1" }, cwd: tempDir() })).toThrow(/CCA__DEAMON__X/);
  });

  it("reports TOML syntax errors with the file", () => {
    const cwd = tempDir();
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, "cca.toml"), "[daemon\n");
    expect(() => loadConfig({ env: { CCA_HOME: tempDir() }, cwd })).toThrow(/Cannot read .*cca\.toml/);
  });

  it("refuses a timeout Node's timers cannot wait for, naming the key, the value and the range", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "cca.toml"), "[agents]\ndefault_timeout_seconds = 2200000\n");
    const error = configError(() => loadConfig({ env: { CCA_HOME: tempDir() }, cwd }));
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain(
      "agents.default_timeout_seconds = 2200000 is out of range: expected an integer from 1 to 2147483 (seconds)",
    );
    expect(error.message).toContain(join(cwd, "cca.toml"));
  });

  it("refuses an out-of-range duration given through the environment too", () => {
    const error = configError(() =>
      loadConfig({ env: { CCA_HOME: tempDir(), CCA__REDIS__CLAIM_IDLE_MS: "2147483648" }, cwd: tempDir() }),
    );
    expect(error.message).toContain(
      "redis.claim_idle_ms = 2147483648 is out of range: expected an integer from 100 to 2147483647 (ms)",
    );
  });

  it.each([
    ["agents", "default_timeout_seconds", MAX_TIMER_SECONDS],
    ["agents", "startup_timeout_seconds", MAX_TIMER_SECONDS],
    ["redis", "context_ttl_seconds", MAX_TIMER_SECONDS],
    ["learning", "update_interval_seconds", MAX_TIMER_SECONDS],
    ["redis", "claim_idle_ms", MAX_TIMER_MS],
    ["acp", "reconnect_interval_ms", MAX_TIMER_MS],
    ["daemon", "shutdown_grace_ms", 60_000],
  ])("accepts %s.%s up to %d and refuses one more", (section, key, max) => {
    const sections: Record<string, Record<string, unknown>> = parseConfig({ [section]: { [key]: max } });
    expect(sections[section]?.[key]).toBe(max);
    expect(configError(() => parseConfig({ [section]: { [key]: max + 1 } })).message).toContain(
      `${section}.${key} = ${max + 1} is out of range`,
    );
  });

  it("refuses a duration of zero where zero would mean at once", () => {
    expect(configError(() => parseConfig({ agents: { default_timeout_seconds: 0 } })).message).toContain(
      "agents.default_timeout_seconds = 0 is out of range: expected an integer from 1 to 2147483 (seconds)",
    );
  });

  it("refuses a fractional duration as not a whole number", () => {
    expect(configError(() => parseConfig({ agents: { startup_timeout_seconds: 1.5 } })).message).toContain(
      "agents.startup_timeout_seconds = 1.5 is not a whole number: expected an integer from 1 to 2147483 (seconds)",
    );
  });

  it("gives the connection and stream limits their defaults and bounds", () => {
    const config = parseConfig({});
    expect(config.acp).toMatchObject({ max_buffered_bytes: 8 * 1024 * 1024, max_subscriptions: 32 });
    expect(config.daemon).toMatchObject({ max_event_streams: 64, max_event_backlog: 1000 });
    expect(configError(() => parseConfig({ acp: { max_subscriptions: 0 } })).message).toContain(
      "acp.max_subscriptions = 0 is out of range: expected an integer from 1 to 4096 (subscriptions)",
    );
  });
});

describe("clampTimerMs", () => {
  it("caps a delay to what setTimeout can wait and floors a negative or NaN one at 0", () => {
    expect(clampTimerMs(2_200_000_000)).toBe(MAX_TIMER_MS);
    expect(clampTimerMs(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(clampTimerMs(1500)).toBe(1500);
    expect(clampTimerMs(-5)).toBe(0);
    expect(clampTimerMs(Number.NaN)).toBe(0);
  });
});
