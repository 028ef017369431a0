/** Startup-phase request codes that come before the startup message proper (no type byte). */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Counts the round trips a client asks of Postgres on one connection, from the bytes it sends: each simple
 * `Query` ('Q') and each `Sync` ('S', which ends an extended-protocol batch) is one. The figure tests and the
 * bench read to prove what a path costs the database (e.g. that an idle live stream costs nothing).
 */
export class RoundTripCounter {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;
  count = 0;

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (!this.#started) {
        if (this.#buffer.length < 8) return;
        const length = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < length) return;
        const code = this.#buffer.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.#started = true;
        this.#buffer = this.#buffer.subarray(length);
        continue;
      }
      if (this.#buffer.length < 5) return;
      const length = this.#buffer.readInt32BE(1);
      if (this.#buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.#buffer[0] ?? 0);
      if (type === "Q" || type === "S") this.count += 1;
      this.#buffer = this.#buffer.subarray(1 + length);
    }
  }
}
