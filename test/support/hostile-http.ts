import { apiUrl, type ErrorBody } from "./api";
import { CONCURRENCY, mapLimit, STACK_TRACE } from "./hostile-input";
import { type Operation, type PathValue, urlFor } from "./openapi-operations";

/** The hostile-input suite's HTTP cases (`hostile-input.ts`): how one is sent and what answer is right for it. */

export type CaseKind =
  | "auth"
  | "path"
  | "query"
  | "header"
  | "body"
  | "content-type"
  | "oversize"
  | "foreign-id"
  | "text"
  | "junk";

export interface HttpCase {
  kind: CaseKind;
  note: string;
  /** The Authorization header; undefined sends none. */
  authorization: string | undefined;
  pathValues: Record<string, PathValue>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** `contentType: null` sends none (the body as bytes, so fetch adds none either). */
  body?: { text: string; contentType: string | null; chunked?: boolean };
  /** The statuses that are right for this case. */
  expect: readonly number[];
}

export interface Outcome {
  status: number;
  text: string;
  requestId: string | null;
}

export async function send(operation: Operation, hostile: HttpCase): Promise<Outcome> {
  const headers = new Headers(hostile.headers);
  if (hostile.authorization !== undefined) headers.set("authorization", hostile.authorization);
  let body: BodyInit | undefined;
  if (hostile.body) {
    const bytes = new TextEncoder().encode(hostile.body.text);
    if (hostile.body.contentType !== null) headers.set("content-type", hostile.body.contentType);
    body = hostile.body.chunked
      ? new ReadableStream({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 16_384)
              controller.enqueue(bytes.slice(at, at + 16_384));
            controller.close();
          },
        })
      : bytes;
  }
  const response = await fetch(urlFor(apiUrl(), operation, hostile.pathValues, hostile.query), {
    method: operation.method,
    headers,
    body,
    redirect: "manual",
    ...(hostile.body?.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  return {
    status: response.status,
    text: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

const ERROR_CODE = /^[a-z][a-z0-9_]*$/;

/** What is wrong with an answer, or undefined when it is right. */
export function problemWith(hostile: HttpCase, outcome: Outcome): string | undefined {
  if (outcome.status >= 500) return "a server error";
  if (STACK_TRACE.test(outcome.text)) return "a stack trace in the body";
  if (outcome.status >= 400) {
    let body: ErrorBody;
    try {
      body = JSON.parse(outcome.text) as ErrorBody;
    } catch {
      return "an error body that is not JSON";
    }
    const error = body?.error;
    if (!error || !ERROR_CODE.test(String(error.code))) return "no error code in the error shape";
    if (typeof error.message !== "string" || error.message.length === 0) return "no error message";
    if (error.requestId !== outcome.requestId) return "an error requestId unlike X-Request-Id";
    const codes = CODES_OF_KIND[hostile.kind];
    if (codes && !codes.includes(error.code)) return `error code not one of ${codes.join("/")}`;
  }
  if (!hostile.expect.includes(outcome.status)) return `not one of ${hostile.expect.join("/")}`;
  return undefined;
}

/** The error codes a kind of case must get, where the kind decides it. */
const CODES_OF_KIND: Partial<Record<CaseKind, readonly string[]>> = {
  auth: ["missing_token", "invalid_token", "token_expired", "token_not_yet_valid"],
  oversize: ["payload_too_large"],
  "content-type": ["unsupported_media_type"],
};

/** Statuses any route may answer besides its documented ones: no such route, wrong method, body too large or not JSON. */
const GLOBAL_STATUSES = [404, 405, 413, 415];

/** A 4xx the operation does not document (nor the API as a whole) is a problem even where the case allows it. */
const undocumented = (operation: Operation, status: number) =>
  status >= 400 && !operation.statuses.includes(status) && !GLOBAL_STATUSES.includes(status);

const describeCase = (operation: Operation, hostile: HttpCase) => {
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 160 ? `${text.slice(0, 160)}…(${text.length})` : text;
  };
  const parts = [`${operation.key} [${hostile.kind}] ${hostile.note}`];
  if (Object.keys(hostile.pathValues).length > 0) parts.push(`path=${show(hostile.pathValues)}`);
  if (hostile.query.length > 0) parts.push(`query=${show(hostile.query)}`);
  if (hostile.body) parts.push(`body=${show(hostile.body.text)} (${hostile.body.contentType})`);
  return parts.join(" ");
};

/** Every status each operation answered, for the REST file's summary. */
export const stats = new Map<string, number[]>();

export interface RunReport {
  outcomes: Array<{ hostile: HttpCase; outcome: Outcome }>;
  problems: string[];
}

export async function runCases(operation: Operation, cases: readonly HttpCase[]): Promise<RunReport> {
  const outcomes = await mapLimit(cases, CONCURRENCY, async (hostile) => ({
    hostile,
    outcome: await send(operation, hostile),
  }));
  const problems: string[] = [];
  for (const { hostile, outcome } of outcomes) {
    const problem =
      problemWith(hostile, outcome) ??
      (undocumented(operation, outcome.status) ? `${outcome.status} is not documented` : undefined);
    if (problem)
      problems.push(
        `${describeCase(operation, hostile)}\n    → ${outcome.status} (${problem}): ${outcome.text.slice(0, 300)}`,
      );
  }
  stats.set(operation.key, [...(stats.get(operation.key) ?? []), ...outcomes.map((o) => o.outcome.status)]);
  return { outcomes, problems };
}
