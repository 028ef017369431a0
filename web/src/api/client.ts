import createClient, { type Middleware } from "openapi-fetch";
import { currentToken, signOut } from "../auth/session";
import type { paths } from "./openapi.gen";

/** Adds the session token to every call; a 401 means the session is gone, so the UI returns to sign-in. */
const auth: Middleware = {
  async onRequest({ request }) {
    const token = await currentToken();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) signOut();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "/api" });
api.use(auth);

export interface ApiErrorBody {
  error: { code: string; message: string; requestId: string };
}

export const errorMessage = (error: unknown): string =>
  (error as ApiErrorBody | undefined)?.error?.message ?? "Something went wrong";
