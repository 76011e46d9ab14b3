import { CcaError } from "@cca/core";
import { expect } from "vitest";

/** The CcaError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<CcaError> {
  const error = await promise.then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CcaError);
  return error as CcaError;
}
