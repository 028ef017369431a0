import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import { Uuid } from "../openapi/common.schemas";
import { EventSchema } from "../threads/threads.schemas";
import { SHARE_TOKEN_PATTERN } from "./share-token";

/** Links a thread may have, in any state: each is a row the owner lists. */
export const MAX_SHARES_PER_THREAD = 50;
/** A year: a longer-lived link is better made without expiry and revoked. */
const MAX_EXPIRY_SECONDS = 365 * 24 * 3600;

export const CreateShareBody = z
  .strictObject({
    expiresInSeconds: z.number().int().min(1).max(MAX_EXPIRY_SECONDS).optional().openapi({
      description: "The link stops working this long after creation; omitted: until revoked",
      example: 86_400,
    }),
  })
  .openapi("CreateShare");

export const ShareSchema = z
  .object({
    id: Uuid,
    threadId: Uuid,
    status: z.enum(["active", "revoked", "expired"]),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi("Share");

export const CreatedShareSchema = ShareSchema.extend({
  token: z.string().openapi({ description: "Shown once: only its hash is kept" }),
  path: z
    .string()
    .openapi({ description: "Where the SPA shows the thread: `/share/<token>`", example: "/share/…" }),
}).openapi("CreatedShare");

export const ShareList = z.object({ items: z.array(ShareSchema) }).openapi("ShareList");

export const ShareParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
  shareId: Uuid.openapi({ param: { name: "shareId", in: "path" } }),
});

export const ShareTokenParams = z.object({
  token: z
    .string()
    .regex(SHARE_TOKEN_PATTERN, "not a share token")
    .openapi({
      param: { name: "token", in: "path" },
      description: "The link's token (43 base64url characters)",
      example: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    }),
});

export const SharedThreadSchema = z
  .object({
    title: z.string(),
    lastSeq: z.number().int().openapi({ description: "Seq of the thread's latest event (0 when none)" }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: "When the link stops working; null: until revoked" }),
  })
  .openapi("SharedThread");

export const SharedEventPage = z
  .object({
    items: z.array(EventSchema),
    nextAfter: z.number().int().openapi({
      description: "Pass as `after` to continue; some seqs are not shown to a link, so items may skip them",
    }),
  })
  .openapi("SharedEventPage");

export const shareNotFound = () => new ApiError("share_not_found", "No such share link");
