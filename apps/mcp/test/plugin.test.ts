import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { binPath, bundlePath, repoRoot, requireBuild } from "./fixtures/built-files.js";
import { type ClaudeSandbox, createClaudeSandbox } from "./fixtures/claude-cli.js";
import { closedPort } from "./fixtures/command-center-session.js";

beforeAll(requireBuild);

let sandbox: ClaudeSandbox | undefined;
afterEach(() => {
  sandbox?.dispose();
  sandbox = undefined;
});

function open(): ClaudeSandbox {
  sandbox = createClaudeSandbox();
  return sandbox;
}

function folderSize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, entry) => total + folderSize(join(path, entry)), 0);
}

describe("the CCA plugin and marketplace", { timeout: 60_000 }, () => {
  it("pass `claude plugin validate --strict`", async () => {
    const claude = open();
    const plugin = await claude.run(["plugin", "validate", "--strict", join(repoRoot, "plugin")]);
    expect(plugin.stdout).toContain("Validation passed");
    const marketplace = await claude.run(["plugin", "validate", "--strict", repoRoot]);
    expect(marketplace.stdout).toContain("Validation passed");
  });

  it("declare the same name and version in the plugin and the marketplace entry", () => {
    const plugin = JSON.parse(readFileSync(join(repoRoot, "plugin/.claude-plugin/plugin.json"), "utf8"));
    const marketplace = JSON.parse(readFileSync(join(repoRoot, ".claude-plugin/marketplace.json"), "utf8"));
    const packageJson = JSON.parse(readFileSync(join(repoRoot, "apps/mcp/package.json"), "utf8"));
    expect(marketplace.plugins).toEqual([expect.objectContaining({ name: plugin.name, source: "./plugin" })]);
    expect(marketplace.plugins[0].version).toBe(plugin.version);
    expect(plugin.version).toBe(packageJson.version);
  });

  it("installs offline from the repository as a small copy that holds the bundled server", async () => {
    const claude = open();
    await claude.run(["plugin", "marketplace", "add", repoRoot]);
    const install = await claude.run(["plugin", "install", "cca@cca"]);
    expect(install.stdout).toContain("Successfully installed plugin: cca@cca");

    const installed = JSON.parse(
      readFileSync(join(claude.configDir, "plugins/installed_plugins.json"), "utf8"),
    );
    const installPath: string = installed.plugins["cca@cca"][0].installPath;
    expect(installPath.startsWith(claude.configDir)).toBe(true);
    expect(readFileSync(join(installPath, "server/cca-mcp.mjs"), "utf8")).toBe(
      readFileSync(bundlePath, "utf8"),
    );
    expect(existsSync(join(installPath, ".mcp.json"))).toBe(true);
    expect(existsSync(join(installPath, "node_modules"))).toBe(false);
    expect(folderSize(installPath)).toBeLessThan(5_000_000);
  });

  it("starts its MCP server through .mcp.json once installed", async () => {
    const claude = open();
    await claude.run(["plugin", "marketplace", "add", repoRoot]);
    await claude.run(["plugin", "install", "cca@cca"]);
    const list = await claude.run(["mcp", "list"], {
      env: { CCA_DAEMON_URL: `http://127.0.0.1:${await closedPort()}` },
    });
    expect(list.stdout).toMatch(/plugin:cca:cca: node \S*server\/cca-mcp\.mjs - .*Connected/);
  });
});

describe("the manual route, `claude mcp add`", { timeout: 60_000 }, () => {
  it("registers cca-mcp for the user and connects to it", async () => {
    const claude = open();
    await claude.run(["mcp", "add", "-s", "user", "cca", "--", "node", binPath]);
    const list = await claude.run(["mcp", "list"], {
      env: { CCA_DAEMON_URL: `http://127.0.0.1:${await closedPort()}` },
    });
    expect(list.stdout).toContain(`cca: node ${binPath} - `);
    expect(list.stdout).toMatch(/cca: .* - .*Connected/);
  });
});
