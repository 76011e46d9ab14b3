import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { openDatabase } from "../database/open-database.js";
import { defaultMigrationsDir, migrate, migrationStatus, readMigrations } from "./migrator.js";

const open: Database[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((database) => database.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function migrationsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cca-migrations-"));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe.each(ENGINES)("migrations on %s", (engine) => {
  it("applies every file of migrations/ once, and a second run applies nothing", async () => {
    const database = await freshDatabase(engine);
    open.push(database);
    const status = await migrationStatus(database);
    expect(status.map((file) => file.name)).toEqual(readMigrations().map((file) => file.name));
    expect(status.every((file) => file.applied_at !== null && !file.changed)).toBe(true);
    expect(await migrate(database)).toEqual([]);
  });

  it("creates the tables and enables pgvector", async () => {
    const database = await freshDatabase(engine);
    open.push(database);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name
    `.execute(database.db);
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(["agents", "cca_migrations", "context_snapshots", "daemons", "tasks"]),
    );
    const distance = await sql<{ d: number }>`select '[1,0]'::vector <-> '[0,0]'::vector as d`.execute(
      database.db,
    );
    expect(Number(distance.rows[0]?.d)).toBe(1);
  });
});

describe("the migrations runner", () => {
  it("applies files in name order and reports the ones still to apply", async () => {
    const database = await openDatabase();
    open.push(database);
    const dir = migrationsFolder({
      "0002_second.sql": "insert into items (name) values ('second');",
      "0001_first.sql":
        "create table items (id serial primary key, name text not null);\ninsert into items (name) values ('first');",
    });
    expect(await migrate(database, { dir })).toEqual(["0001_first.sql", "0002_second.sql"]);
    const rows = await sql<{ name: string }>`select name from items order by id`.execute(database.db);
    expect(rows.rows.map((row) => row.name)).toEqual(["first", "second"]);

    writeFileSync(join(dir, "0003_third.sql"), "insert into items (name) values ('third');");
    expect((await migrationStatus(database, dir)).map((file) => file.applied_at !== null)).toEqual([
      true,
      true,
      false,
    ]);
    expect(await migrate(database, { dir })).toEqual(["0003_third.sql"]);
  });

  it("rolls back a failing migration and names it", async () => {
    const database = await openDatabase();
    open.push(database);
    const dir = migrationsFolder({
      "0001_ok.sql": "create table items (id int);",
      "0002_broken.sql": "create table more (id int); select * from no_such_table;",
    });
    await expect(migrate(database, { dir })).rejects.toThrow(/Migration 0002_broken.sql failed on pglite/);
    const status = await migrationStatus(database, dir);
    expect(status.map((file) => file.applied_at !== null)).toEqual([true, false]);
    const more = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.tables where table_name = 'more'`.execute(
      database.db,
    );
    expect(more.rows[0]?.n).toBe(0);
  });

  it("says when an applied file has changed since", async () => {
    const database = await openDatabase();
    open.push(database);
    const dir = migrationsFolder({ "0001_first.sql": "create table items (id int);" });
    await migrate(database, { dir });
    writeFileSync(join(dir, "0001_first.sql"), "create table items (id bigint);");
    expect(await migrationStatus(database, dir)).toEqual([
      expect.objectContaining({ name: "0001_first.sql", changed: true }),
    ]);
  });

  it("finds the repository's migrations folder", () => {
    expect(defaultMigrationsDir()).toMatch(/\/migrations$/);
  });
});
