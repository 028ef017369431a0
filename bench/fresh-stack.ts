import { rm } from "node:fs/promises";
import { type LocalStack, type StackOptions, startLocalStack } from "../dev/stack";
import { benchStateDir } from "./state-dir";

/**
 * Runs one benchmark on a local stack of its own (state from benchStateDir) and removes the stack after, so a
 * figure does not depend on what another benchmark left in the same workerd.
 */
export async function onFreshStack<T>(
  prefix: string,
  run: (stack: LocalStack, state: { inMemory: boolean }) => Promise<T>,
  options: Partial<StackOptions> = {},
): Promise<T> {
  const { dir, inMemory } = await benchStateDir(prefix);
  const stack = await startLocalStack({
    stateDir: dir,
    databaseInChildProcess: true,
    log: () => {},
    ...options,
  });
  try {
    return await run(stack, { inMemory });
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
