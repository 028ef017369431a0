import type { LocalStack } from "../dev/stack";

/** Signs in `users` bench users and gives each `threadsPerUser` threads through the API; returns their tokens. */
export async function seedUsersWithThreads(
  stack: LocalStack,
  users: number,
  threadsPerUser: number,
): Promise<string[]> {
  const tokens: string[] = [];
  for (let u = 0; u < users; u++) {
    const token = await stack.issuer.mint(`bench-${u}-${crypto.randomUUID().slice(0, 6)}`, {
      ttlSeconds: 3_600,
    });
    for (let t = 0; t < threadsPerUser; t++) {
      const response = await fetch(`${stack.apiUrl}/api/threads`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `bench thread ${t}` }),
      });
      if (response.status !== 201)
        throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
    }
    tokens.push(token);
  }
  return tokens;
}

/** Database round-trips of a warm request, read from the Server-Timing header the Worker sets. */
export async function dbRoundTrips(url: string, token: string, samples = 20): Promise<number> {
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.body?.cancel();
    const match = /db;[^,]*desc="(\d+) quer/.exec(response.headers.get("server-timing") ?? "");
    if (!match) throw new Error("no db Server-Timing on the response");
    total += Number(match[1]);
  }
  return total / samples;
}
