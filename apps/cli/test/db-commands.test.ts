import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Env, isoTime } from "@cca/core";
import { openDatabase, readMigrations } from "@cca/memory";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isProcessAlive } from "../src/index.ts";
import { startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { runCca } from "./fixtures/run-cca.ts";
import { createScratchDatabase, type ScratchDatabase } from "./fixtures/scratch-postgres.ts";

const MIGRATIONS = readMigrations().map((file) => file.name);
/** Opening PGlite and applying the migrations takes a few seconds on a small machine. */
const DATABASE_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("cca db on the embedded database (PGlite)", () => {
  let home: string;
  let env: Env;
  const dataDir = () => join(home, "data");
  const cca = (args: string[], extra: Env = {}) => runCca(args, { cwd: home, env: { ...env, ...extra } });

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "cca-cli-db-"));
    // No daemon answers there, so nothing stands in the way of opening the database.
    env = { CCA_HOME: home, CCA_DAEMON_URL: `http://127.0.0.1:${await freePort()}` };
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it("status on a new home lists every migration as pending, without creating the database", async () => {
    const result = await cca(["db", "status"]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`database  PGlite (embedded) at ${dataDir()} (not created yet)`);
    for (const name of MIGRATIONS) expect(result.stdout).toMatch(new RegExp(`^${name} +pending$`, "m"));
    expect(result.stdout).toContain(
      `0 applied, ${MIGRATIONS.length} pending; apply them with \`cca db migrate\`.`,
    );
    expect(existsSync(dataDir())).toBe(false);
  });

  it(
    "migrate applies the pending migrations and says which; then status shows when, and a second migrate applies none",
    async () => {
      const migrated = await cca(["db", "migrate"]);
      expect(migrated.stderr).toBe("");
      expect(migrated.code).toBe(0);
      expect(migrated.stdout.split("\n")).toEqual([
        `database  PGlite (embedded) at ${dataDir()}`,
        ...MIGRATIONS.map((name) => `applied   ${name}`),
        `Applied ${MIGRATIONS.length} migration${MIGRATIONS.length === 1 ? "" : "s"}; the database is up to date.`,
        "",
      ]);

      const status = await cca(["db", "status"]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`database  PGlite (embedded) at ${dataDir()}\n`);
      for (const name of MIGRATIONS) {
        expect(status.stdout).toMatch(new RegExp(`^${name} +applied \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`, "m"));
      }
      expect(status.stdout).toContain(`${MIGRATIONS.length} applied, none pending.`);

      const again = await cca(["db", "migrate"]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("Nothing to apply; the database is up to date.");
    },
    DATABASE_TIMEOUT_MS,
  );

  it(
    "--json prints the engine, the location and each migration",
    async () => {
      const before = JSON.parse((await cca(["db", "status", "--json"])).stdout);
      expect(before).toEqual({
        engine: "pglite",
        location: dataDir(),
        exists: false,
        migrations: MIGRATIONS.map((name) => ({ name, applied_at: null, changed: false })),
      });

      const startedAt = isoTime();
      const migrated = JSON.parse((await cca(["db", "migrate", "--json"])).stdout);
      expect(migrated).toEqual({ engine: "pglite", location: dataDir(), applied: MIGRATIONS });

      const after = JSON.parse((await cca(["db", "status", "--json"])).stdout);
      expect(after).toEqual({
        engine: "pglite",
        location: dataDir(),
        exists: true,
        migrations: MIGRATIONS.map((name) => ({ name, applied_at: expect.any(String), changed: false })),
      });
      for (const migration of after.migrations) expect(migration.applied_at >= startedAt).toBe(true);
    },
    DATABASE_TIMEOUT_MS,
  );

  it(
    "says when an applied migration's file changed since it was applied",
    async () => {
      await cca(["db", "migrate"]);
      const database = await openDatabase({ dataDir: dataDir() });
      await database.db.updateTable("cca_migrations").set({ checksum: "an older version" }).execute();
      await database.close();

      const status = await cca(["db", "status"]);
      expect(status.stdout).toMatch(
        new RegExp(
          `^${MIGRATIONS[0]} +applied \\S+ \\(changed since applied: add a new migration instead of editing one\\)$`,
          "m",
        ),
      );
      const migrate = await cca(["db", "migrate"]);
      expect(migrate.code).toBe(0);
      expect(migrate.stderr).toContain(
        `${MIGRATIONS[0]} changed after it was applied; it is not applied again.`,
      );
    },
    DATABASE_TIMEOUT_MS,
  );

  it(
    "refuses to open the embedded database while ccad runs on the same home",
    async () => {
      const daemonEnv = {
        CCA_DAEMON_URL: "",
        CCA__DAEMON__BIND_ADDRESS: `127.0.0.1:${await freePort()}`,
        CCA__AGENTS__CLAUDE_PATH: join(home, "no-claude-here"),
      };
      const started = await cca(["daemon", "start"], daemonEnv);
      expect(started.code, started.stderr).toBe(0);
      const pid = Number(readFileSync(join(home, "ccad.pid"), "utf8"));
      try {
        for (const command of ["status", "migrate"]) {
          const result = await cca(["db", command], daemonEnv);
          expect(result.code).toBe(1);
          expect(result.stdout).toBe("");
          expect(result.stderr).toContain(
            `cca: ccad (pid ${pid}, from ${join(home, "ccad.pid")}) is running on this CCA home`,
          );
          expect(result.stderr).toContain("stop the daemon first (`cca daemon stop`) or use GET /health.");
        }
      } finally {
        await cca(["daemon", "stop"], daemonEnv);
        if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
      }
    },
    DATABASE_TIMEOUT_MS,
  );

  it("refuses too when a daemon answers at its address though no pid file says so (ccad run by hand)", async () => {
    const daemon = await startFakeDaemonApi();
    try {
      const result = await cca(["db", "migrate"], { CCA_DAEMON_URL: daemon.url });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `cca: ccad answers at ${daemon.url}, so it may hold its embedded database`,
      );
      expect(result.stderr).toContain("stop the daemon first");
      expect(existsSync(dataDir())).toBe(false);
    } finally {
      await daemon.close();
    }
  });
});

describe("cca db on PostgreSQL (postgres.url)", () => {
  let scratch: ScratchDatabase;
  let home: string;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    home = mkdtempSync(join(tmpdir(), "cca-cli-db-pg-"));
  });
  afterAll(async () => {
    await scratch?.drop();
    rmSync(home, { recursive: true, force: true });
  });
  const cca = (args: string[], url: string) =>
    runCca(args, { cwd: home, env: { CCA_HOME: home, CCA__POSTGRES__URL: url } });

  it(
    "shows pending migrations, applies them, and shows them applied, never printing the password",
    async () => {
      const url = scratch.url("s3cret-pw");
      const redacted = scratch.url("***");

      const before = await cca(["db", "status"], url);
      expect(before.code, before.stderr).toBe(0);
      expect(before.stdout).toContain(`database  PostgreSQL at ${redacted}\n`);
      for (const name of MIGRATIONS) expect(before.stdout).toMatch(new RegExp(`^${name} +pending$`, "m"));

      const migrated = JSON.parse((await cca(["db", "migrate", "--json"], url)).stdout);
      expect(migrated).toEqual({ engine: "postgres", location: redacted, applied: MIGRATIONS });

      const after = await cca(["db", "status"], url);
      expect(after.stdout).toContain(`${MIGRATIONS.length} applied, none pending.`);
      for (const output of [before, after]) expect(output.stdout + output.stderr).not.toContain("s3cret-pw");
      // A PGlite folder is never made when PostgreSQL is configured.
      expect(existsSync(join(home, "data"))).toBe(false);
    },
    DATABASE_TIMEOUT_MS,
  );

  it("fails with the server's address (password hidden) when PostgreSQL does not answer", async () => {
    const url = `postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/nothing`;

    const result = await cca(["db", "status"], url);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^cca: PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/nothing is unavailable: .*\(dependency_unavailable\)$/m,
    );
    expect(result.stderr).not.toContain("s3cret-pw");
  });
});
