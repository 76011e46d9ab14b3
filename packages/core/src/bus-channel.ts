import type { z } from "zod";
import type { EventBus } from "./event-bus.js";

/** A bus channel declared once: its name and the schema of what travels on it. */
export interface BusChannel<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

/**
 * Declares a channel, like an ACP method descriptor: publishers and subscribers are typed
 * from it, and what arrives from another process is parsed with its schema, never cast.
 * @example const Control = defineChannel("cca:control", z.object({ cancel: z.string() }));
 */
export function defineChannel<T>(name: string, schema: z.ZodType<T>): BusChannel<T> {
  return { name, schema };
}

/** Publishes a message of the channel's type. */
export function publishOn<T>(bus: EventBus, channel: BusChannel<T>, message: T): Promise<void> {
  return bus.publish(channel.name, message);
}

/**
 * Subscribes to a channel. Each message is parsed with the channel's schema; one that does
 * not parse is dropped and told to `onInvalid` (with what was wrong), and delivery goes on.
 */
export function subscribeTo<T>(
  bus: EventBus,
  channel: BusChannel<T>,
  handler: (message: T) => void,
  onInvalid: (problem: string, message: unknown) => void = () => {},
): Promise<() => Promise<void>> {
  return bus.subscribe(channel.name, (message: unknown) => {
    const parsed = channel.schema.safeParse(message);
    if (parsed.success) handler(parsed.data);
    else onInvalid(`a message on ${channel.name} does not parse: ${parsed.error.message}`, message);
  });
}
