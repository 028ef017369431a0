import { readFile, rename, writeFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { expect, inject } from "vitest";
import { opencodeSessions } from "../../schema";
import { spawnSubAgent } from "./actors";
import { apiUrl, call, signUp } from "./api";
import {
  badAuthorizations,
  closeDatabase,
  database,
  footprint,
  NOTHING,
  openDatabase,
  type User,
} from "./hostile-input";

/**
 * The users of the hostile-input suite (`hostile-input.ts`): the run's one victim, seeded by the api global set-up
 * and checked untouched at the end of every file that attacks them, an owner fuzzing their own actors, and a new
 * intruder per file with the tokens that must be refused.
 */

/** A user other users must not be able to touch: a thread, a memory file, a sub-agent actor and a sub-agent row. */
export interface Victim extends User {
  threadId: string;
  threadTitle: string;
  memoryPath: string;
  memoryContent: string;
  /** Key and RivetKit actor ids of the victim's actors. */
  subAgentKey: [string, string];
  growAgentActorId: string;
  subAgentActorId: string;
  subAgentActorRowId: string;
  growAgentActorRowId: string;
  subAgentSessionId: string;
  /** A working share link of the victim's thread: its id, and its token (which must keep working). */
  shareId: string;
  shareToken: string;
  /** A one-off a year ahead in the victim's thread: it never runs during the suite. */
  scheduleId: string;
  ids: string[];
}

/** The RivetKit id of one of `user`'s actors, found as its owner (RivetKit-serialized key: `a/b`). */
export async function actorIdOf(user: User, name: string, key: string): Promise<string> {
  const response = await fetch(`${apiUrl()}/api/rivet/actors?name=${name}&key=${encodeURIComponent(key)}`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  const found = (await response.json()) as { actors: Array<{ actor_id: string }> };
  const id = found.actors[0]?.actor_id;
  if (!id) throw new Error(`${user.username} has no ${name} ${key}: ${JSON.stringify(found)}`);
  return id;
}

async function makeVictim(): Promise<Victim> {
  // Valid all day: one victim serves every file of a run (`seedVictimTo`).
  const user = await signUp("victim", { ttlSeconds: 86_400 });
  const threadTitle = "victim's private thread";
  const thread = await call("/api/threads", user.token, {
    method: "POST",
    body: JSON.stringify({ title: threadTitle }),
  });
  const threadId = ((await thread.json()) as { id: string }).id;
  const memoryPath = "notes/victim.md";
  const memoryContent = "# victim's private notes\n";
  const write = await call("/api/memory/file", user.token, {
    method: "PUT",
    body: JSON.stringify({ path: memoryPath, content: memoryContent }),
  });
  expect(write.status, await write.clone().text()).toBe(200);
  // Clients cannot create sub-agents: the victim's Grow Agent starts one (dev/model delegates, OpenCode runs it).
  const subAgentId = await spawnSubAgent(apiUrl(), user, "victim's task");
  const actors = (await (await call("/api/actors", user.token)).json()) as {
    items: Array<{ id: string; type: string }>;
  };
  const [session] = await database()
    .insert(opencodeSessions)
    .values({ userId: user.id, task: "victim's running sub-agent", status: "running" })
    .returning({ id: opencodeSessions.id });
  const subAgentActorRowId = actors.items.find((a) => a.type === "subAgent")?.id ?? "";
  const growAgentActorRowId = actors.items.find((a) => a.type === "growAgent")?.id ?? "";
  const subAgentSessionId = session?.id ?? "";
  const shared = await call(`/api/threads/${threadId}/shares`, user.token, { method: "POST", body: "{}" });
  expect(shared.status, await shared.clone().text()).toBe(201);
  const { id: shareId, token: shareToken } = (await shared.json()) as { id: string; token: string };
  const schedule = await call("/api/schedules", user.token, {
    method: "POST",
    body: JSON.stringify({
      prompt: "victim's private schedule",
      threadId,
      timeZone: "Europe/Berlin",
      runAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    }),
  });
  expect(schedule.status, await schedule.clone().text()).toBe(201);
  const scheduleId = ((await schedule.json()) as { id: string }).id;
  return {
    ...user,
    threadId,
    threadTitle,
    memoryPath,
    memoryContent,
    subAgentKey: [user.id, subAgentId],
    growAgentActorId: await actorIdOf(user, "growAgent", user.id),
    subAgentActorId: await actorIdOf(user, "subAgent", `${user.id}/${subAgentId}`),
    subAgentActorRowId,
    growAgentActorRowId,
    subAgentSessionId,
    shareId,
    shareToken,
    scheduleId,
    ids: [threadId, subAgentActorRowId, growAgentActorRowId, subAgentSessionId, shareId, scheduleId],
  };
}

/** What the victim sees of their own account, to compare before and after everyone else's attempts. */
export async function victimView(victim: Victim) {
  const get = async (path: string) => {
    const response = await call(path, victim.token);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const strip = (value: unknown) =>
    JSON.parse(JSON.stringify(value, (key, v) => (key === "lastActiveAt" || key === "durationMs" ? 0 : v)));
  return {
    thread: await get(`/api/threads/${victim.threadId}`),
    threads: await get("/api/threads"),
    messages: await get(`/api/threads/${victim.threadId}/messages`),
    actors: strip((await get("/api/actors")).body),
    subagents: strip((await get("/api/subagents")).body),
    memory: await get(`/api/memory/file?path=${encodeURIComponent(victim.memoryPath)}`),
    shares: await get(`/api/threads/${victim.threadId}/shares`),
    shared: await get(`/api/shared/${victim.shareToken}`),
    schedules: await get("/api/schedules"),
    runs: await get(`/api/schedules/${victim.scheduleId}/runs`),
    rows: await footprint(victim.id),
  };
}

export type VictimView = Awaited<ReturnType<typeof victimView>>;

/**
 * The victim's view once their account has settled: the sub-agent `makeVictim` starts runs on, and its model calls
 * are metered (`usage_records`), after the turn that delegated it has ended. Taken each second until no sub-agent
 * of theirs but the planted session is starting or running and two views agree (at most 60 s). The one file gave
 * the victim that time by chance (the owner's sub-agent was started alongside); split, a late usage row showed.
 */
async function settledVictimView(victim: Victim): Promise<VictimView> {
  let view = await victimView(victim);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const next = await victimView(victim);
    const { items } = next.subagents as { items: Array<{ id: string; status: string }> };
    const busy = items.some(
      (s) => s.id !== victim.subAgentSessionId && (s.status === "starting" || s.status === "running"),
    );
    if (!busy && isDeepStrictEqual(next, view)) return next;
    view = next;
  }
  return view;
}

/** A user fuzzing their own actors (hostile arguments, garbage action bodies), with a sub-agent of their own. */
export type Owner = User & { subAgentId: string };

/**
 * The one victim of a run, seeded by the api global set-up (`test/support/api-stack-setup.ts`, after
 * `useProvidedOutsideWorker`) and handed to every file: a victim has a real sub-agent, an OpenCode cold start, so
 * one for the suite instead of one per file. Their settled view is taken before any file attacks them; as no file
 * may change anything of theirs, each file's check compares against it (so it also catches a change that another
 * file, running alongside, made). Written to `file` (JSON) when done, or the error; never throws.
 */
export async function seedVictimTo(file: string): Promise<void> {
  const started = Date.now();
  let seeded: SeededVictim | { error: string };
  openDatabase();
  try {
    const victim = await makeVictim();
    seeded = { victim, before: await settledVictimView(victim) };
    console.info(`hostile-input: victim seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    seeded = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    await closeDatabase();
  }
  await writeFile(`${file}.tmp`, JSON.stringify(seeded));
  await rename(`${file}.tmp`, file);
}

interface SeededVictim {
  victim: Victim;
  before: VictimView;
}

/** The run's victim (`seedVictimTo`), waited for while the global set-up is still seeding it. */
async function seededVictim(): Promise<SeededVictim> {
  const file = inject("hostileVictimFile");
  for (const deadline = Date.now() + 220_000; ; ) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) {
      const seeded = JSON.parse(text) as SeededVictim | { error: string };
      if ("error" in seeded) throw new Error(`hostile-input: seeding the victim failed: ${seeded.error}`);
      return seeded;
    }
    if (Date.now() > deadline) throw new Error(`hostile-input: no victim in ${file} after 220 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface HostileUsers {
  /** Only with `victim`: a user everyone else attacks, and what they saw of their account before. */
  victim: Victim;
  victimBefore: VictimView;
  /** Only with `owner`. */
  owner: Owner;
  intruder: User;
  /** Authorization headers that must be refused, minted for the intruder. */
  badAuth: string[];
}

/**
 * The users a file attacks with (call it in `beforeAll`, with a 240 s timeout, after `openDatabase`): the run's
 * victim (`seedVictimTo`) and a new owner where asked for, then a new intruder and their bad tokens.
 */
export async function hostileUsers(needs: { victim?: boolean; owner?: boolean }): Promise<HostileUsers> {
  const users = {} as HostileUsers;
  const makeOwner = async (): Promise<Owner> => {
    const user = await signUp("actorfuzz");
    return { ...user, subAgentId: await spawnSubAgent(apiUrl(), user, "own task") };
  };
  // The owner's sub-agent starts while the victim may still be being seeded.
  const [seeded, owner] = await Promise.all([
    needs.victim ? seededVictim() : undefined,
    needs.owner ? makeOwner() : undefined,
  ]);
  if (seeded) ({ victim: users.victim, before: users.victimBefore } = seeded);
  if (owner) users.owner = owner;
  users.intruder = await signUp("intruder");
  users.badAuth = await badAuthorizations(users.intruder.username);
  return users;
}

/** The last test of a file that attacked a victim: their account is exactly as it was, the intruder has nothing. */
export async function expectVictimUntouched(users: HostileUsers): Promise<void> {
  const { victim, victimBefore, intruder } = users;
  const after = await victimView(victim);
  expect(after).toEqual(victimBefore);
  expect(after.thread.status).toBe(200);
  expect((after.thread.body as { title: string }).title).toBe(victim.threadTitle);
  expect((after.memory.body as { content: string }).content).toBe(victim.memoryContent);
  expect(await footprint(intruder.id)).toEqual(NOTHING);
}
