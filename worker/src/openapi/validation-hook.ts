import type { Hook } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";

const MAX_REPORTED_ISSUES = 5;

/** Invalid input becomes one 400 in the error shape, naming each offending field. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input and env type
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : result.target;
    return `${where}: ${issue.message}`;
  });
  throw new ApiError("invalid_request", `Invalid ${result.target}: ${issues.join("; ")}`);
};
