/**
 * Stub binaries for running the runtime entrypoints outside their images: small shell scripts on PATH that log
 * their argv (one line each, arguments bracketed) to $STUB_LOG and keep state under $STUB_STATE.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const LOG_ARGV = `{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; } >> "$STUB_LOG"`;

export function writeStub(bin: string, name: string, body: string, interpreter = "/bin/sh"): void {
  mkdirSync(bin, { recursive: true });
  const path = join(bin, name);
  writeFileSync(path, `#!${interpreter}\n${body}\n`);
  chmodSync(path, 0o755);
}

/** `id -u` answers $STUB_UID, so a test chooses whether the entrypoint believes it runs as root. */
export function writePrivilegeStubs(bin: string, switcher: "su-exec" | "gosu"): void {
  writeStub(bin, "id", `if [ "$1" = -u ]; then echo "\${STUB_UID:-1000}"; exit 0; fi\nexec /usr/bin/id "$@"`);
  writeStub(bin, "chown", LOG_ARGV);
  // Logs, then runs the command as "the user" (the id stub then answers 1000).
  writeStub(bin, switcher, `${LOG_ARGV}\nshift\nSTUB_UID=1000 exec "$@"`);
}

/** The official image's docker-setup.sh, reduced: template when missing (lock off, as upstream), then env. */
export function writeGiteaSetupStub(path: string): void {
  writeFileSync(
    path,
    `#!/bin/sh
${LOG_ARGV}
set -eu
if [ ! -f "$GITEA_APP_INI" ]; then
  mkdir -p "$(dirname "$GITEA_APP_INI")"
  printf 'APP_NAME = Gitea\\nWORK_PATH = %s\\n\\n[security]\\nINSTALL_LOCK = false\\n' "$GITEA_WORK_DIR" > "$GITEA_APP_INI"
fi
exec environment-to-ini --config "$GITEA_APP_INI"
`,
  );
  chmodSync(path, 0o755);
}

/** Gitea's environment-to-ini: applies GITEA__section__KEY (`_0X2E_` = ".", sections lowercased) to the file. */
export function writeEnvironmentToIniStub(bin: string): void {
  writeStub(
    bin,
    "environment-to-ini",
    `const fs = require("node:fs");
fs.appendFileSync(process.env.STUB_LOG, ["environment-to-ini", ...process.argv.slice(2).map((a) => "[" + a + "]")].join(" ") + "\\n");
const i = process.argv.indexOf("--config");
const file = process.argv[i + 1];
const sections = new Map([["", new Map()]]);
let current = sections.get("");
if (fs.existsSync(file)) {
  for (const line of fs.readFileSync(file, "utf8").split("\\n")) {
    const section = /^\\s*\\[(.+)\\]\\s*$/.exec(line);
    const pair = /^\\s*([^=;#]+?)\\s*=\\s*(.*?)\\s*$/.exec(line);
    if (section) {
      if (!sections.has(section[1])) sections.set(section[1], new Map());
      current = sections.get(section[1]);
    } else if (pair) current.set(pair[1], pair[2]);
  }
}
const decode = (s) => s.replace(/_0[xX]([0-9a-fA-F]{2})_/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
for (const [name, value] of Object.entries(process.env)) {
  const m = /^GITEA__(.+?)__(.+)$/.exec(name);
  if (!m) continue;
  const section = decode(m[1]).toLowerCase();
  if (!sections.has(section)) sections.set(section, new Map());
  sections.get(section).set(decode(m[2]), value);
}
let out = "";
for (const [name, pairs] of sections) {
  if (name) out += "\\n[" + name + "]\\n";
  for (const [k, v] of pairs) out += k + " = " + v + "\\n";
}
fs.mkdirSync(require("node:path").dirname(file), { recursive: true });
fs.writeFileSync(file, out);`,
    process.execPath,
  );
}

/**
 * gitea: `generate secret SECRET_KEY` (a per-process value); otherwise `--config <ini>` first (fails without an
 * existing app.ini), then `migrate`, `admin user list` (header, then "ID Username Email IsActive IsAdmin 2FA"
 * rows), `admin user create` (fails on an existing name, as Gitea does) and `web` (records its env).
 */
export function writeGiteaStub(bin: string): void {
  writeStub(
    bin,
    "gitea",
    `${LOG_ARGV}
set -eu
if [ "$1 $2 $3" = "generate secret SECRET_KEY" ]; then printf 'stub-secret-key-%s' "$$"; exit 0; fi
[ "$1" = --config ] || { echo "stub gitea: --config first" >&2; exit 2; }
[ -f "$2" ] || { echo "stub gitea: no $2" >&2; exit 3; }
shift 2
users="$STUB_STATE/users"
touch "$users"
case "$1" in
  migrate) touch "$STUB_STATE/migrated" ;;
  admin)
    [ -f "$STUB_STATE/migrated" ] || { echo "stub gitea: database not migrated" >&2; exit 4; }
    case "$2 $3" in
      "user list")
        echo "ID   Username   Email   IsActive   IsAdmin   2FA"
        n=1
        while read -r u; do echo "$n   $u   $u@example.invalid   true   true   false"; n=$((n + 1)); done < "$users"
        ;;
      "user create")
        shift 3
        name=""
        while [ $# -gt 0 ]; do
          case "$1" in --username) name="$2"; shift ;; --username=*) name="\${1#--username=}" ;; esac
          shift
        done
        [ -n "$name" ] || { echo "stub gitea: no --username" >&2; exit 5; }
        if grep -qx "$name" "$users"; then echo "user already exists [name: $name]" >&2; exit 1; fi
        echo "$name" >> "$users"
        ;;
      *) echo "stub gitea: unexpected admin $*" >&2; exit 6 ;;
    esac
    ;;
  web) env > "$STUB_STATE/web.env" ;;
  *) echo "stub gitea: unexpected $*" >&2; exit 7 ;;
esac`,
  );
}

/** opencode: records argv (log), env and working directory. */
export function writeOpencodeStub(bin: string): void {
  writeStub(
    bin,
    "opencode",
    `${LOG_ARGV}\nenv > "$STUB_STATE/opencode.env"\npwd > "$STUB_STATE/opencode.cwd"`,
  );
}
