/**
 * The settings a Worker's code reads, from its `Env` interface through the TypeScript checker (so inherited
 * interfaces such as AuthEnv or BillingEnv count, and a setting added anywhere is seen without a list to update).
 */
import path from "node:path";
import ts from "typescript";

// A checker over the Workers' code takes seconds: one per process (the tests check several configurations).
const cache = new Map<string, Record<string, string[]>>();

/** For each `env.ts` file: the string-typed properties of its exported `Env` (bindings are not strings). */
export function stringSettingsOf(repoRoot: string, envFiles: string[]): Record<string, string[]> {
  const key = [repoRoot, ...envFiles].join("\0");
  const cached = cache.get(key);
  if (cached) return cached;
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  const files = envFiles.map((file) => path.join(repoRoot, file));
  const program = ts.createProgram(files, { ...parsed?.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out: Record<string, string[]> = {};
  envFiles.forEach((file, index) => {
    const source = program.getSourceFile(files[index] ?? "");
    const module = source && checker.getSymbolAtLocation(source);
    const env = module && checker.getExportsOfModule(module).find((symbol) => symbol.name === "Env");
    if (!env) throw new Error(`${file} exports no Env interface`);
    out[file] = checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(env))
      .filter((property) => {
        const type = checker.getNonNullableType(checker.getTypeOfSymbol(property));
        return (type.flags & ts.TypeFlags.StringLike) !== 0;
      })
      .map((property) => property.name)
      .sort();
  });
  cache.set(key, out);
  return out;
}
