import { sql } from "drizzle-orm";
import type { Database } from "../../../schema/db";
import type { StoredEvent } from "./event-pipeline";

/** Messages remembered as taken by this run of the actor: more than any burst of resends, bounded all the same. */
const MAX_REMEMBERED = 1_000;

export interface UnloggedMessagesDeps {
  db(): Database;
  /** The actor's local outbox: events given out and not yet in Postgres. */
  pendingEvents(): Promise<Map<string, StoredEvent[]>>;
}

/**
 * Finds a resent message that was stored but never logged. A message is stored in Postgres, then its
 * `message.user` event is written to the actor's outbox; a Worker restart between the two (a deploy while the
 * message was being sent) leaves a row no event names. The client's resend under the same idempotency key is
 * answered `replayed`, and restart recovery, which reads the event log, never sees the message: nobody would
 * answer it. Such a resend must do what the first call could not (log it and run its turn).
 */
export class UnloggedMessages {
  readonly #takenHere = new Set<string>();

  constructor(private readonly deps: UnloggedMessagesDeps) {}

  /** A message this run stored and is logging: its resends are plain replays. Synchronous, before any await. */
  taken(messageId: string): void {
    this.#takenHere.delete(messageId);
    this.#takenHere.add(messageId);
    if (this.#takenHere.size > MAX_REMEMBERED) {
      const [oldest] = this.#takenHere;
      if (oldest !== undefined) this.#takenHere.delete(oldest);
    }
  }

  /**
   * Whether the resend of `messageId` must log it and run its turn. Claims it before looking, so concurrent
   * resends adopt it once; a failed look gives the claim back for the next resend.
   */
  async adopt(threadId: string, messageId: string): Promise<boolean> {
    if (this.#takenHere.has(messageId)) return false;
    this.taken(messageId);
    try {
      return !(await this.#logged(threadId, messageId));
    } catch (error) {
      this.#takenHere.delete(messageId);
      throw error;
    }
  }

  /**
   * Whether any event names the message: its `message.user`, or the start or failure of a turn answering it (a
   * turn also runs when writing `message.user` failed; recovery reads answered messages the same way).
   */
  async #logged(threadId: string, messageId: string): Promise<boolean> {
    // The outbox first: an event leaves it only once it is in Postgres, so one of the two reads sees it.
    const pending = (await this.deps.pendingEvents()).get(threadId) ?? [];
    if (pending.some((event) => NAMES_ITS_MESSAGE.has(event.type) && messageIdOf(event.data) === messageId)) {
      return true;
    }
    const result = await this.deps.db().execute(sql`
      select 1 from events
      where thread_id = ${threadId} and type in ('message.user', 'turn.started', 'turn.failed')
        and data->>'messageId' = ${messageId}
      limit 1`);
    return result.rows.length > 0;
  }
}

/** The events that name the message they are about (the SQL above lists the same three). */
const NAMES_ITS_MESSAGE = new Set(["message.user", "turn.started", "turn.failed"]);

const messageIdOf = (data: unknown) =>
  data && typeof data === "object" ? (data as { messageId?: unknown }).messageId : undefined;
