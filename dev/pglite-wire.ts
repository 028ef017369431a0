import type { PGlite } from "@electric-sql/pglite";

/**
 * Splits a Postgres frontend byte stream into messages. The first message of a connection has no type byte
 * (SSLRequest, CancelRequest or StartupMessage); every later one is a type byte plus an int32 length.
 */
export class FrontendMessageReader {
  private buffer = Buffer.alloc(0);
  private started = false;

  push(chunk: Buffer): Buffer[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      const headerLength = this.started ? 5 : 4;
      if (this.buffer.length < headerLength) break;
      const length = this.started ? 1 + this.buffer.readInt32BE(1) : this.buffer.readInt32BE(0);
      if (this.buffer.length < length) break;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      if (!this.started && !isSslRequest(message)) this.started = true;
      messages.push(Buffer.from(message));
    }
    return messages;
  }
}

const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;

export const isSslRequest = (message: Buffer) =>
  message.length === 8 && message.readInt32BE(4) === SSL_REQUEST_CODE;
export const isCancelRequest = (message: Buffer) =>
  message.length === 16 && message.readInt32BE(4) === CANCEL_REQUEST_CODE;

/** Messages after which the client waits for the server: the end of one unit of work. */
const UNIT_ENDS = new Set(["S", "Q", "H", "X", "c", "f"]);
export const endsUnit = (message: Buffer, started: boolean) =>
  !started || UNIT_ENDS.has(String.fromCharCode(message[0] ?? 0));

export interface Session {
  write(data: Uint8Array): void;
}

/**
 * PGlite has one backend session; many client connections share it. Two things keep them from corrupting each
 * other: a connection's messages run as a unit up to its Sync/Query (so another client's Parse cannot replace
 * its unnamed statement mid-query), and while a connection has a transaction open only its units run.
 */
export class SessionScheduler {
  private readonly queue: Array<{ session: Session; unit: Buffer[]; done: () => void }> = [];
  private transactionOwner: Session | undefined;
  private running = false;

  constructor(private readonly db: PGlite) {}

  run(session: Session, unit: Buffer[]): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ session, unit, done });
      void this.pump();
    });
  }

  /** A connection went away: roll back what it left open and drop its queued work. */
  async release(session: Session): Promise<void> {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i];
      if (item?.session === session) {
        this.queue.splice(i, 1);
        item.done();
      }
    }
    if (this.transactionOwner === session) {
      // exec takes the query lock itself; wrapping it in runExclusive would deadlock.
      await this.db.exec("ROLLBACK");
      this.transactionOwner = undefined;
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index = this.transactionOwner
          ? this.queue.findIndex((item) => item.session === this.transactionOwner)
          : 0;
        const item = index >= 0 ? this.queue[index] : undefined;
        if (!item) break;
        this.queue.splice(index, 1);
        await this.db.runExclusive(async () => {
          for (const message of item.unit) {
            await this.db.execProtocolRawStream(message, { onRawData: (data) => item.session.write(data) });
          }
        });
        this.transactionOwner = this.db.isInTransaction() ? item.session : undefined;
        item.done();
      }
    } finally {
      this.running = false;
    }
  }
}
