/**
 * rivetkit 2.2.1's driver test suite registers some tests as `test(name, fn, { timeout })`, a signature
 * Vitest 4 removed (it throws while collecting, even for skipped suites). The `rivet-driver` project points
 * the suite's `vitest` import here: the same Vitest, with `test`/`it` accepting the old argument order.
 */
import { it as vitestIt, test as vitestTest } from "vitest";

export * from "vitest";

type Fn = (...args: unknown[]) => unknown;

function reorder(args: unknown[]): unknown[] {
  const [name, second, third, ...rest] = args;
  if (typeof second === "function" && third !== null && typeof third === "object") {
    return [name, third, second, ...rest];
  }
  return args;
}

/** Wraps the test API, and every function its chain returns (`skipIf(x)`, `.skip`, …), to reorder args. */
function compat<T extends object>(target: T): T {
  return new Proxy(target, {
    apply(fn, self, args) {
      const result = Reflect.apply(fn as Fn, self, reorder(args));
      return typeof result === "function" ? compat(result) : result;
    },
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      return typeof value === "function" ? compat(value) : value;
    },
  });
}

export const test = compat(vitestTest);
export const it = compat(vitestIt);
