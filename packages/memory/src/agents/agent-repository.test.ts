import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agentRecord as agent } from "../../test/support/agent-record.js";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import { DaemonRepository } from "../daemons/daemon-repository.js";
import type { Database } from "../database/open-database.js";
import { AgentRepository } from "./agent-repository.js";

describe.each(ENGINES)("AgentRepository and DaemonRepository on %s", (engine) => {
  let database: Database;
  let agents: AgentRepository;
  let daemons: DaemonRepository;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    agents = new AgentRepository(database);
    daemons = new DaemonRepository(database);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from agents; delete from daemons`.execute(database.db);
  });

  it("keeps an agent's role, folder and session, and reads them back", async () => {
    const stored = agent("backend_1", {
      last_tool: { name: "Bash", summary: "npm test", at: "2026-12-01T10:00:01.000Z" },
    });
    await agents.save(stored, "ccad-a");
    await agents.save({ ...stored, state: "busy", tasks_completed: 2 }, "ccad-a");
    expect(await agents.find("backend_1")).toEqual({
      ...stored,
      state: "busy",
      tasks_completed: 2,
      daemon: "ccad-a",
      resumable: false,
    });
  });

  it("hands each resumable conversation of a role to one taker, the most recent first", async () => {
    await agents.save(agent("old", { last_activity_at: "2026-12-01T09:00:00.000Z" }), "d");
    await agents.save(agent("new", { last_activity_at: "2026-12-01T11:00:00.000Z" }), "d");
    await agents.save(agent("fresh", { tasks_completed: 0 }), "d");
    expect(await agents.markResumable("old")).toBe(true);
    expect(await agents.markResumable("new")).toBe(true);
    expect(await agents.markResumable("fresh")).toBe(false);
    expect((await agents.takeResumable("backend"))?.id).toBe("new");
    expect((await agents.takeResumable("backend"))?.id).toBe("old");
    expect(await agents.takeResumable("backend")).toBeUndefined();
    expect(await agents.takeResumable("qa")).toBeUndefined();
  });

  it("ends the live agents of gone daemons, keeping their conversations resumable", async () => {
    await agents.save(agent("worked", { state: "busy" }), "gone");
    await agents.save(agent("idle", { tasks_completed: 0 }), "gone");
    await agents.save(agent("elsewhere"), "alive");
    expect(await agents.endLiveAgentsOf(["gone"])).toBe(2);
    expect(await agents.find("worked")).toMatchObject({ state: "stopped", pid: null, resumable: true });
    expect(await agents.find("idle")).toMatchObject({ state: "stopped", resumable: false });
    expect(await agents.find("elsewhere")).toMatchObject({ state: "ready" });
  });

  it("tells gone daemons from live ones", async () => {
    await daemons.register({ name: "here-live", hostname: "h1", pid: 10 });
    await daemons.register({ name: "here-dead", hostname: "h1", pid: 11 });
    await daemons.register({ name: "there", hostname: "h2", pid: 11 });
    await daemons.register({ name: "stopped", hostname: "h2", pid: 12 });
    await daemons.markStopped("stopped");
    const gone = await daemons.gone(["here-live", "here-dead", "there", "stopped", "unknown"], {
      hostname: "h1",
      staleMs: 60_000,
      isPidAlive: (pid) => pid === 10,
    });
    expect([...gone].sort()).toEqual(["here-dead", "stopped", "unknown"]);
    const stale = await daemons.gone(["there"], { hostname: "h1", staleMs: -1, isPidAlive: () => true });
    expect([...stale]).toEqual(["there"]);
  });
});
