import { withTimeout } from "../../platform/with-timeout";
import type { LoadApi, WireEvent } from "./load-api";
import type { SimulatedUser } from "./load-user";
import { turnEndProblems } from "./turn-ends";

/**
 * Each user's thread against its log, after the run: every event exactly once and in order, every acknowledged
 * message logged once, every turn ended once, every acknowledged memory write in git. Adds what is wrong to
 * `problems`, closes each user's connection once checked, and answers the counts for the report.
 */
export async function checkThreads(
  users: readonly SimulatedUser[],
  { readLog, landedInGit }: LoadApi,
  problems: string[],
) {
  let duplicateBroadcasts = 0;
  let resumes = 0;
  const subAgents = { spawned: 0, completed: 0, failed: 0, reasons: {} as Record<string, number> };
  const memory = { acknowledged: 0, pendingWhenAcknowledged: 0, landed: 0 };
  for (const user of users) {
    const logged = await readLog(user.token, user.threadId);
    const trackerProblems = user.tracker.compare(logged);
    problems.push(...trackerProblems.map((p) => `user ${user.index}: ${p}`));
    duplicateBroadcasts += user.tracker.duplicateBroadcasts;
    resumes += user.tracker.resumes;
    for (const nonce of user.acknowledged) {
      const copies = logged.filter((e) => e.type === "message.user" && String(e.data.text).includes(nonce));
      if (copies.length !== 1) problems.push(`user ${user.index}: message ${nonce} logged ${copies.length}×`);
    }
    const turnProblems = turnEndProblems(logged);
    if (turnProblems.length > 0) {
      const outline = logged
        .filter((e) => e.type.startsWith("turn.") || e.type === "message.user")
        .map((e) => `${e.seq}:${e.type}:${String(e.data.turnId ?? e.data.messageId ?? "").slice(-6)}`);
      problems.push(`user ${user.index}: ${turnProblems.join("; ")}: ${outline.join(" ")}`);
    }
    const acknowledgedWrites = memoryWritesAcknowledged(logged);
    memory.acknowledged += acknowledgedWrites.length;
    memory.pendingWhenAcknowledged += logged.filter(
      (e) =>
        e.type === "tool.result" &&
        e.data.name === "commit_memory" &&
        String(e.data.content).includes('"pending"'),
    ).length;
    for (const path of acknowledgedWrites) {
      if (await landedInGit(user.token, path)) memory.landed++;
      else problems.push(`user ${user.index}: memory write ${path} acknowledged but not in git`);
    }
    subAgents.spawned += logged.filter((e) => e.type === "subagent.spawned").length;
    for (const e of logged.filter((e) => e.type === "subagent.finished")) {
      if (e.data.status === "completed") subAgents.completed++;
      else {
        subAgents.failed++;
        const reason = String(e.data.error ?? e.data.status);
        subAgents.reasons[reason] = (subAgents.reasons[reason] ?? 0) + 1;
      }
    }
    await withTimeout(user.conn.dispose(), 5_000).catch(() => {});
  }
  return { duplicateBroadcasts, resumes, subAgents, memory };
}

/** Paths of the thread's commit_memory calls whose result was a success. */
function memoryWritesAcknowledged(logged: readonly WireEvent[]): string[] {
  const ok = new Set(
    logged
      .filter((e) => e.type === "tool.result" && e.data.name === "commit_memory" && e.data.isError === false)
      .map((e) => String(e.data.toolUseId)),
  );
  return logged
    .filter(
      (e) => e.type === "tool.call" && e.data.name === "commit_memory" && ok.has(String(e.data.toolUseId)),
    )
    .map((e) => String((e.data.input as { path?: string }).path));
}
