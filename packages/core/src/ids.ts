import { randomUUID } from "node:crypto";

/** A new id with a readable prefix, e.g. `task_3f9c…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
