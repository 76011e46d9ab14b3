/** A message one agent sent another (or all), waiting for the recipient's next turn. */
export interface InboxMessage {
  from: string;
  message: string;
  at: string;
}

/**
 * Puts waiting messages in front of a turn's prompt: a headless Claude Code process only
 * reads at the start of a turn, so that is when its team's messages reach it.
 */
export function withInbox(prompt: string, inbox: readonly InboxMessage[]): string {
  if (inbox.length === 0) return prompt;
  const lines = inbox.map((entry) => `- from ${entry.from} at ${entry.at}: ${entry.message}`);
  return `Messages from your team since your last turn:\n${lines.join("\n")}\n\n---\n\n${prompt}`;
}
