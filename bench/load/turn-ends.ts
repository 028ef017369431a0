export const TURN_END = new Set(["turn.completed", "turn.failed", "turn.interrupted", "turn.cancelled"]);

/** Every started turn ends exactly once; no turn ends twice (a turn may fail before it starts). */
export function turnEndProblems(
  logged: readonly { type: string; data: Record<string, unknown> }[],
): string[] {
  const ends = new Map<string, number>();
  for (const e of logged) {
    if (TURN_END.has(e.type)) ends.set(String(e.data.turnId), (ends.get(String(e.data.turnId)) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const e of logged) {
    if (e.type === "turn.started" && !ends.has(String(e.data.turnId)))
      problems.push(`turn ${e.data.turnId} never ended`);
  }
  for (const [turnId, count] of ends) if (count > 1) problems.push(`turn ${turnId} ended ${count}×`);
  return problems;
}
