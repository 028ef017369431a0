export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

// Secrets must never reach a log line, whatever a caller passes in.
const SECRET_KEY =
  /authorization|cookie|token|secret|password|api[_-]?key|database[_-]?url|connection[_-]?string/i;

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = "[redacted]";
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message };
    else out[key] = value;
  }
  return out;
}

/** One JSON object per line, so Workers Logs and `wrangler tail` can filter on any field. */
export function createLogger(base: LogFields, sink: (line: string) => void = console.log): Logger {
  const write = (level: LogLevel, message: string, fields?: LogFields) =>
    sink(
      JSON.stringify({
        level,
        msg: message,
        time: new Date().toISOString(),
        ...base,
        ...redact(fields ?? {}),
      }),
    );
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...base, ...redact(fields) }, sink),
  };
}
