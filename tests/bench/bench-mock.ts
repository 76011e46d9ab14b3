import {
  createMockAnthropic,
  type MockAnthropic,
  type MockReply,
  type RecordedRequest,
  replyText,
} from "@cca/mock-anthropic";

/**
 * The answer to every benchmark turn: at once, with fixed small token counts, so that the
 * model's time is ~0 and Claude Code never thinks its context is full and compacts it.
 */
export const INSTANT_REPLY: MockReply = replyText("bench answer", { input_tokens: 100, output_tokens: 10 });

/** A mock Messages API that answers every conversation request with {@link INSTANT_REPLY}. */
export async function startInstantMock(): Promise<MockAnthropic> {
  const mock = await createMockAnthropic();
  mock.on({ when: () => true, reply: INSTANT_REPLY });
  return mock;
}

/**
 * A mock that answers at once and only counts the conversation requests whose last user
 * text matches `key` (e.g. a task's description), forgetting the requests themselves: a
 * Coordinator's thousandth turn carries its whole conversation, and keeping a thousand of
 * those would take hundreds of megabytes.
 */
export async function startCountingMock(key: (request: RecordedRequest) => string | undefined): Promise<{
  mock: MockAnthropic;
  counts: Map<string, number>;
}> {
  const mock = await createMockAnthropic();
  const counts = new Map<string, number>();
  mock.on({
    when: () => true,
    reply: (request) => {
      const found = key(request);
      if (found !== undefined) counts.set(found, (counts.get(found) ?? 0) + 1);
      // The mock records a request after choosing its reply: this drops the ones before.
      mock.requests.splice(0);
      mock.sideRequests.splice(0);
      return INSTANT_REPLY;
    },
  });
  return { mock, counts };
}
