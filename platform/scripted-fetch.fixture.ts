/**
 * A fetch that answers from a script, one step per call: a status, a status with headers, or a network error. It
 * records each request's body, so a test can check that a retry sent the same bytes again. For the retry tests.
 */
export function scriptedFetch(steps: Array<number | Error | [number, Record<string, string>]>) {
  const seen: string[] = [];
  const fetch = async (request: Request) => {
    seen.push(await request.text());
    const step = steps.shift();
    if (step === undefined) throw new Error("no more steps");
    if (step instanceof Error) throw step;
    const [status, headers] = Array.isArray(step) ? step : [step, {}];
    return new Response(`status ${status}`, { status, headers });
  };
  return { fetch, seen };
}
