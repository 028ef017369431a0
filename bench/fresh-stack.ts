import type { LocalStack, StackOptions } from "../dev/stack";
import { startLocalStack } from "../dev/stack";
import { benchStateDirs } from "./state-dir";

/**
 * Runs benchmarks on a local stack of their own (state from benchStateDirs) and removes the stack and its state
 * after, also when the stack failed to start.
 */
export async function onFreshStack<T>(
  prefix: string,
  run: (stack: LocalStack, state: { machinesInMemory: boolean }) => Promise<T>,
  options: Partial<StackOptions> = {},
): Promise<T> {
  const state = await benchStateDirs(prefix);
  try {
    const stack = await startLocalStack({
      stateDir: state.dir,
      flyStateDir: state.machinesDir,
      databaseInChildProcess: true,
      log: () => {},
      ...options,
    });
    try {
      return await run(stack, { machinesInMemory: state.machinesInMemory });
    } finally {
      await stack.stop();
    }
  } finally {
    await state.remove();
  }
}
