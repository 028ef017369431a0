/**
 * Readers for the Workers' settings (vars and secrets arrive as strings). Unset or empty means the default; a value
 * that is set but wrong fails with the variable's name instead of quietly becoming the default, so a typo in a
 * dashboard var shows at the first request (and in `wrangler deploy`'s start-up check) rather than months later.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Vars = Readonly<Record<string, unknown>>;

const raw = (env: Vars, name: string): string | undefined => {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

/** An integer in [min, max]; `fallback` when unset. */
export function intSetting(env: Vars, name: string, fallback: number, min: number, max: number): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}; it is "${text.slice(0, 40)}"`);
  }
  return value;
}

/** An absolute http(s) URL without a trailing slash; `fallback` when unset. */
export function urlSetting(env: Vars, name: string, fallback: string): string {
  const text = raw(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, `must be an absolute URL; it is "${text.slice(0, 80)}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(name, `must be an http(s) URL; it is "${text.slice(0, 80)}"`);
  }
  return text.replace(/\/$/, "");
}
