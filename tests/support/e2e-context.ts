import { createMockAnthropic, type MockAnthropic } from "@cca/mock-anthropic";
import { afterEach, beforeEach } from "vitest";
import { type CcadProcess, startCcad } from "./ccad-process.js";

/** A fresh mock Messages API and a real `ccad` on it for each test of the file, torn down after. */
export function useMockAndCcad(options: { env?: Record<string, string> } = {}): {
  readonly mock: MockAnthropic;
  readonly ccad: CcadProcess;
} {
  const context = {} as { mock: MockAnthropic; ccad: CcadProcess };
  beforeEach(async () => {
    context.mock = await createMockAnthropic();
    context.ccad = await startCcad({ mockUrl: context.mock.url, env: options.env });
  });
  afterEach(async () => {
    await context.ccad.stop();
    await context.mock.close();
  });
  return context;
}
