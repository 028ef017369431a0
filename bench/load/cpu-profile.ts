import { originalPositionFor, type TraceMap } from "@jridgewell/trace-mapping";
import type { Inspector } from "./inspector";

/** The subset of the Chrome DevTools Protocol's `Profiler.Profile` this reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: Frame; hitCount?: number }>;
  startTime: number;
  endTime: number;
  samples?: number[];
}

interface Frame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** A profile and the source maps of its scripts, read while the bundle still exists. */
export interface ProfileWithMaps {
  profile: CpuProfile;
  maps: Map<string, TraceMap>;
}

/** Samples the Workers' JavaScript every 0.5 ms until `stop`. */
export async function startCpuProfile(inspector: Inspector): Promise<{ stop(): Promise<ProfileWithMaps> }> {
  await inspector.send("Profiler.setSamplingInterval", { interval: 500 });
  await inspector.send("Profiler.start");
  return {
    async stop() {
      const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
      return { profile, maps: await inspector.sourceMaps() };
    },
  };
}

export interface ProfileShare {
  label: string;
  ms: number;
  /** Of the busy time (everything but idle). */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Self time by where the code comes from: an npm package, a file of ours, or V8's own (GC, program). */
  bySource: ProfileShare[];
  byFunction: ProfileShare[];
}

/** Where a frame's code comes from, from its (source-mapped) path. */
export function sourceOf(path: string | undefined, functionName: string): string {
  if (!path) return functionName || "(anonymous)";
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + "node_modules/".length).split("/");
    return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? path);
  }
  const ours = path.match(/(?:^|\/)((?:worker|platform|schema|contract|provisioner)\/.*)$/);
  return ours?.[1] ?? path;
}

/** Self time per source and per function; `resolve` maps a bundle position to its original path. */
export function summarizeProfile(
  profile: CpuProfile,
  resolve: (frame: Frame) => string | undefined,
  top = 12,
): ProfileSummary {
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const totalSamples =
    profile.samples?.length ?? profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const msPerSample = totalSamples > 0 ? (profile.endTime - profile.startTime) / 1_000 / totalSamples : 0;
  const bySource = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = (profile.samples ? (hits.get(node.id) ?? 0) : (node.hitCount ?? 0)) * msPerSample;
    if (ms === 0) continue;
    if (node.callFrame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const source = sourceOf(resolve(node.callFrame), node.callFrame.functionName);
    bySource.set(source, (bySource.get(source) ?? 0) + ms);
    const name = `${node.callFrame.functionName || "(anonymous)"} · ${source}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const busyMs = [...bySource.values()].reduce((a, b) => a + b, 0);
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, ms]) => ({ label, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    bySource: ranked(bySource),
    byFunction: ranked(byFunction),
  };
}

/** The original file of a frame, through its script's source map. */
export function sourceMapResolver(maps: Map<string, TraceMap>): (frame: Frame) => string | undefined {
  return (frame) => {
    const map = maps.get(frame.scriptId);
    if (!map || frame.lineNumber < 0) return frame.url || undefined;
    const original = originalPositionFor(map, { line: frame.lineNumber + 1, column: frame.columnNumber });
    return original.source ?? frame.url;
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const rows = (list: ProfileShare[]) =>
    list.map(
      (r) => `    ${(r.share * 100).toFixed(1).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.label}`,
    );
  return [
    `  Worker JS profile: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle (self time, sampled every 0.5 ms)`,
    "  by source:",
    ...rows(summary.bySource),
    "  by function:",
    ...rows(summary.byFunction),
  ].join("\n");
}
