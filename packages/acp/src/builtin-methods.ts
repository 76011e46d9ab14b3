import { z } from "zod";
import { defineNotification, defineRequest } from "./descriptors.js";

/**
 * `$/ping`: the heartbeat. Every peer answers it with `{}`, whatever handlers it has;
 * it takes no params.
 */
export const PingRequest = defineRequest<unknown, Record<string, never>>("$/ping", z.unknown());

/**
 * `$/cancelRequest {id}`: the sender no longer wants the answer to its request `id`.
 * The receiver aborts the handler's AbortSignal and answers the request with Cancelled.
 */
export const CancelRequestNotification = defineNotification(
  "$/cancelRequest",
  z.object({ id: z.union([z.string(), z.number()]) }),
);
