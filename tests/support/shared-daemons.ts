import { createMockAnthropic, type MockAnthropic } from "@cca/mock-anthropic";
import { afterEach, beforeEach } from "vitest";
import { type CcadProcess, startCcad } from "./ccad-process.js";
import { type ScratchDatabase, scratchDatabase } from "./postgres.js";

/** What a test of daemons that share work gets: a mock, a database of its own, the daemons it starts. */
export interface SharedDaemons {
  readonly mock: MockAnthropic;
  readonly database: ScratchDatabase;
  /** Starts a real ccad with `env` on the test's mock; it is stopped after the test. */
  start(env: Record<string, string>): Promise<CcadProcess>;
}

/**
 * For each test of the file: a fresh mock Messages API and an empty PostgreSQL database;
 * afterwards every daemon started is stopped, and the mock and database are dropped.
 */
export function useSharedDaemons(): SharedDaemons {
  const daemons: CcadProcess[] = [];
  const context = {
    start: async (env: Record<string, string>) => {
      const daemon = await startCcad({ mockUrl: context.mock.url, env });
      daemons.push(daemon);
      return daemon;
    },
  } as SharedDaemons & { mock: MockAnthropic; database: ScratchDatabase };
  beforeEach(async () => {
    context.mock = await createMockAnthropic();
    context.database = await scratchDatabase();
  });
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
    await context.mock.close();
    await context.database.drop();
  });
  return context;
}
