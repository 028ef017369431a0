export interface SeqEvent {
  seq: number;
  type: string;
}

/**
 * What one client made of one thread's events, the way the SPA consumes them: live events in seq order, a gap
 * filled from the log (the resume after a dropped connection), an event it already has dropped as overlap. A
 * live event whose seq the client already took from the live stream is a duplicate broadcast: a bug.
 */
export class ThreadTracker {
  readonly accepted: SeqEvent[] = [];
  readonly #fromLive = new Set<number>();
  duplicateBroadcasts = 0;
  overlapDropped = 0;
  resumes = 0;

  get lastSeq(): number {
    return this.accepted.at(-1)?.seq ?? 0;
  }

  /** A live event; returns true when there is a gap before it, which the caller fills with `resume` first. */
  live(event: SeqEvent): "accepted" | "gap" | "dropped" {
    if (event.seq <= this.lastSeq) {
      if (this.#fromLive.has(event.seq)) this.duplicateBroadcasts++;
      else this.overlapDropped++;
      return "dropped";
    }
    if (event.seq !== this.lastSeq + 1) return "gap";
    this.accepted.push(event);
    this.#fromLive.add(event.seq);
    return "accepted";
  }

  /** Events read from the log after `lastSeq`, in seq order; returns the ones the client did not have yet. */
  resume<T extends SeqEvent>(fromLog: readonly T[]): T[] {
    this.resumes++;
    const added: T[] = [];
    for (const event of fromLog) {
      if (event.seq !== this.lastSeq + 1) continue;
      this.accepted.push(event);
      added.push(event);
    }
    return added;
  }

  /** Problems against the thread's full log: missing, reordered or extra events. Empty when exactly once. */
  compare(log: readonly SeqEvent[]): string[] {
    const problems: string[] = [];
    if (this.duplicateBroadcasts > 0) problems.push(`${this.duplicateBroadcasts} duplicate broadcasts`);
    if (log.length !== this.accepted.length)
      problems.push(`client has ${this.accepted.length} events, the log ${log.length}`);
    const n = Math.min(log.length, this.accepted.length);
    for (let i = 0; i < n; i++) {
      const mine = this.accepted[i];
      const theirs = log[i];
      if (mine?.seq !== theirs?.seq || mine?.type !== theirs?.type) {
        problems.push(`at ${i}: client ${mine?.seq}:${mine?.type}, log ${theirs?.seq}:${theirs?.type}`);
        break;
      }
    }
    if (log.some((e, i) => e.seq !== i + 1)) problems.push("the log's seqs are not 1..n");
    return problems;
  }
}
