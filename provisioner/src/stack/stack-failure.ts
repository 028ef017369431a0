import { isFlyError } from "../fly/fly-errors";

/** A failure whose message is fit for the user (`lastError`): no secrets, no internals. */
export class StackFailure extends Error {}

/** The gateway's store (Postgres) failed: said so to the user, not as an internal error. */
export function unregistered(error: unknown): never {
  throw new StackFailure("the sandbox's model credential could not be registered; try again shortly", {
    cause: error,
  });
}

/** A reason fit for the UI and the `user_stacks.last_error` column: no secrets, no stack traces. */
export function failureReason(error: unknown): string {
  if (error instanceof StackFailure) return error.message;
  if (isFlyError(error)) return error.message;
  return "internal error while provisioning";
}
