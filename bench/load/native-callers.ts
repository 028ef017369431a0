import { type CpuProfile, type ProfileShare, sourceOf } from "./cpu-profile";

type Node = CpuProfile["nodes"][number] & { children?: number[] };
type Frame = Node["callFrame"];

/** V8's own pseudo-frames: not a call anyone made. */
const PSEUDO = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/**
 * Self time of the runtime's native functions (WebSocket `send`, `setTimeout`, `fetch`, `Response`…), which have
 * no script of their own, charged to the nearest caller that has one: "send ← (anonymous) · @neondatabase/serverless"
 * says which code paid for it, where the summary by source only says "send".
 */
export function nativeByCaller(
  profile: CpuProfile,
  resolve: (frame: Frame) => string | undefined,
  top = 12,
): ProfileShare[] {
  const nodes = profile.nodes as Node[];
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const samples = profile.samples?.length ?? 0;
  const msPerSample = samples > 0 ? (profile.endTime - profile.startTime) / 1_000 / samples : 0;
  let busyMs = 0;
  const totals = new Map<string, number>();
  for (const node of nodes) {
    const ms = (hits.get(node.id) ?? 0) * msPerSample;
    if (ms === 0 || node.callFrame.functionName === "(idle)") continue;
    busyMs += ms;
    if (node.callFrame.url || PSEUDO.has(node.callFrame.functionName)) continue;
    let caller = parentOf.get(node.id);
    while (caller !== undefined && !byId.get(caller)?.callFrame.url) caller = parentOf.get(caller);
    const frame = caller === undefined ? undefined : byId.get(caller)?.callFrame;
    const by = frame
      ? `${frame.functionName || "(anonymous)"} · ${sourceOf(resolve(frame), frame.functionName)}`
      : "(no caller)";
    const label = `${node.callFrame.functionName || "(anonymous)"} ← ${by}`;
    totals.set(label, (totals.get(label) ?? 0) + ms);
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([label, ms]) => ({ label, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
}
