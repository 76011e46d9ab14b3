import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createConnection } from "./connection/connection.js";
import {
  defineNotification,
  defineRequest,
  isReservedMethod,
  type NotificationType,
  type ParamsOf,
  type RequestType,
  type ResultOf,
} from "./descriptors.js";
import { createInMemoryTransportPair } from "./transport/in-memory.js";

const GetTask = defineRequest(
  "task/get",
  z.object({ id: z.string(), verbose: z.boolean().default(false) }),
  z.object({ id: z.string(), status: z.enum(["queued", "done"]) }),
);
const Progress = defineNotification("task/progress", z.object({ id: z.string(), percent: z.number() }));
const Untyped = defineRequest<{ n: number }, string>("n/to/string", z.object({ n: z.number() }));

describe("method descriptors", () => {
  it("carry the wire name and the types of params and result", () => {
    expect(GetTask).toMatchObject({ kind: "request", method: "task/get" });
    expectTypeOf<ParamsOf<typeof GetTask>>().toEqualTypeOf<{ id: string; verbose: boolean }>();
    expectTypeOf<ResultOf<typeof GetTask>>().toEqualTypeOf<{ id: string; status: "queued" | "done" }>();
    expectTypeOf(GetTask).toExtend<
      RequestType<{ id: string; verbose: boolean }, unknown, { id: string; verbose?: boolean | undefined }>
    >();
    expectTypeOf<ParamsOf<typeof Progress>>().toEqualTypeOf<{ id: string; percent: number }>();
    expectTypeOf(Progress).toExtend<NotificationType<{ id: string; percent: number }>>();
    expectTypeOf<ResultOf<typeof Untyped>>().toEqualTypeOf<string>();
  });

  it("type handlers and callers, and validate on the receiving side", async () => {
    const [a, b] = createInMemoryTransportPair();
    const server = createConnection(b);
    server.onRequest(GetTask, (params) => {
      expectTypeOf(params).toEqualTypeOf<{ id: string; verbose: boolean }>();
      return { id: params.id, status: params.verbose ? "done" : "queued" };
    });
    // @ts-expect-error: a handler must return the declared result type.
    server.onRequest(Untyped, ({ n }) => n);
    const client = createConnection(a);
    await Promise.all([server.start(), client.start()]);
    const task = await client.request(GetTask, { id: "task_1" });
    expectTypeOf(task).toEqualTypeOf<{ id: string; status: "queued" | "done" }>();
    expect(task).toEqual({ id: "task_1", status: "queued" });
    // @ts-expect-error: params are checked at compile time too.
    await expect(client.request(GetTask, { id: 1 })).rejects.toMatchObject({ code: -32602 });
    await client.close();
  });

  it("reserve the $/ and rpc. prefixes", () => {
    expect(isReservedMethod("$/ping")).toBe(true);
    expect(isReservedMethod("rpc.discover")).toBe(true);
    expect(isReservedMethod("task/get")).toBe(false);
    expect(() => defineRequest("", z.object({}))).toThrow(/empty/);
  });
});
