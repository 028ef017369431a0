/**
 * What RivetKit's driver test suite imports as `vitest` in the `rivet-driver` project (the plugin in
 * vitest.config.ts redirects it here). The same Vitest, with two changes:
 *
 * - rivetkit 2.2.1 registers some tests as `test(name, fn, { timeout })`, a signature Vitest 4 removed
 *   (it throws while collecting, even inside skipped suites); the arguments are reordered.
 * - Suites and tests listed in `selection.ts` are registered as skipped, so the report counts them.
 */
import { describe as vitestDescribe, it as vitestIt, test as vitestTest } from "vitest";
import { skipReason } from "./selection";

export * from "vitest";

type Fn = (...args: unknown[]) => unknown;
type Kind = { skip: Fn; isDescribe: boolean };

/** Path of the describe block whose factory is running: factories run synchronously, one at a time. */
let currentPath: string[] = [];

function register(fn: Fn, self: unknown, args: unknown[], kind: Kind): unknown {
  let [name, body, options, ...rest] = args;
  const oldOrder = typeof body === "function" && options !== null && typeof options === "object";
  if (oldOrder) [body, options] = [options, body];
  if (typeof name !== "string" || typeof body !== "function") {
    return Reflect.apply(fn, self, oldOrder ? [name, body, options, ...rest] : args);
  }

  const path = [...currentPath, name];
  if (skipReason(path.join(" > "))) return kind.skip(name, body);
  if (!kind.isDescribe) return Reflect.apply(fn, self, [name, body, options, ...rest]);

  const factory = body as Fn;
  const scoped = (...factoryArgs: unknown[]) => {
    const outer = currentPath;
    currentPath = path;
    try {
      return factory(...factoryArgs);
    } finally {
      currentPath = outer;
    }
  };
  return Reflect.apply(fn, self, [name, scoped, options, ...rest]);
}

/** Wraps the API and every function its chain returns (`skipIf(x)`, `.only`, …). */
function compat<T extends object>(target: T, kind: Kind): T {
  return new Proxy(target, {
    apply(fn, self, args) {
      const result = register(fn as Fn, self, args, kind);
      return typeof result === "function" ? compat(result, kind) : result;
    },
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      return typeof value === "function" ? compat(value, kind) : value;
    },
  });
}

export const describe = compat(vitestDescribe, { skip: vitestDescribe.skip as Fn, isDescribe: true });
export const test = compat(vitestTest, { skip: vitestTest.skip as Fn, isDescribe: false });
export const it = compat(vitestIt, { skip: vitestIt.skip as Fn, isDescribe: false });
