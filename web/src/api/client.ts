import createClient, { type Middleware } from "openapi-fetch";
import type { AuthProvider } from "../auth/auth-provider";
import { auth } from "../auth/session";
import { apiUrl } from "./base";
import type { paths } from "./openapi.gen";

/**
 * Adds the provider's session token to every call; a 401 means the session is gone (or the API no longer accepts
 * it), so the provider signs out and the UI returns to sign-in.
 */
export const authMiddleware = (provider: Pick<AuthProvider, "token" | "signOut">): Middleware => ({
  async onRequest({ request }) {
    const token = await provider.token();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) void provider.signOut();
    return response;
  },
});

export const api = createClient<paths>({ baseUrl: apiUrl("") });
api.use(authMiddleware(auth));

export interface ApiErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** A failed API call, with the server's readable message and stable code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  404: "Not found: it may have been deleted, or it is not yours.",
  429: "Too many requests; wait a moment and try again.",
  502: "The server could not be reached; try again in a moment.",
  503: "A service the app depends on is unavailable; try again in a moment.",
  504: "The server took too long to answer; try again in a moment.",
};

/** A sentence for any failure: the server's message, a network problem, or a status; never raw JSON. */
export const errorMessage = (error: unknown, status?: number): string => {
  const body = (error as ApiErrorBody | undefined)?.error;
  if (body && typeof body.message === "string" && body.message) return body.message;
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The server could not be reached; check your connection.";
  if (error instanceof Error && error.message && !/^[[{]/.test(error.message)) return error.message;
  return (status && STATUS_MESSAGES[status]) || "Something went wrong; try again.";
};

/** The data of an openapi-fetch result, or an ApiError with a readable message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const code = (result.error as ApiErrorBody | undefined)?.error?.code ?? `http_${result.response.status}`;
    throw new ApiError(errorMessage(result.error, result.response.status), code, result.response.status);
  }
  return result.data as T;
}
