#!/bin/sh
# Starts OpenCode on the workspace volume (/workspace). The provisioner passes, as machine env
# (provisioner/src/stack/machine-spec.ts):
#   OPENCODE_SERVER_PASSWORD  per-user server password (HTTP Basic, user "opencode"); required. OpenCode reads it
#                             from the env: it never appears on a command line.
#   ANTHROPIC_API_KEY         the stack's model-gateway credential (optional: without it sessions cannot call the
#                             model). Referenced from the config as {env:ANTHROPIC_API_KEY}, never written out.
#   ANTHROPIC_BASE_URL        optional provider base URL (the gateway, ending in /v1), also {env:…}
#   OPENCODE_MODEL            optional, default anthropic/claude-sonnet-4-5
# Paths for tests: GROWQR_WORKSPACE (default /workspace).
set -eu
: "${OPENCODE_SERVER_PASSWORD:?OPENCODE_SERVER_PASSWORD must be set: the server is never started open}"

workspace="${GROWQR_WORKSPACE:-/workspace}"
run_user="${GROWQR_RUN_USER:-agent}"

# A fresh Fly volume is owned by root: hand it to the unprivileged user once, then continue as that user.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$workspace"
  if [ "$(stat -c %U "$workspace")" != "$run_user" ]; then
    chown -R "$run_user:$run_user" "$workspace"
  fi
  exec gosu "$run_user" "$0" "$@"
fi

# OpenCode's own state (sessions, auth) lives in $HOME: on the volume, whatever gosu set HOME to.
export HOME="$workspace/.home"
mkdir -p "$HOME"
cd "$workspace"

# Written into opencode.json below (the skills path): plain path characters only, so it stays valid JSON.
case "$workspace" in
  /*) ;;
  *)
    echo "growqr-opencode: GROWQR_WORKSPACE '$workspace' is not an absolute path" >&2
    exit 1
    ;;
esac
case "$workspace" in
  *[!A-Za-z0-9._/-]*)
    echo "growqr-opencode: GROWQR_WORKSPACE '$workspace' has characters other than A-Z a-z 0-9 . _ / -" >&2
    exit 1
    ;;
esac

model="${OPENCODE_MODEL:-anthropic/claude-sonnet-4-5}"
case "$model" in
  *[!A-Za-z0-9._/:-]* | "")
    echo "growqr-opencode: OPENCODE_MODEL '$model' is not a provider/model id" >&2
    exit 1
    ;;
esac

# Written once: the user (or a skill) may edit it afterwards, and it lives on the volume. skills.paths: the clone of
# the user's memory repository the Worker keeps current before each task (worker/src/subagents/sandbox-workspace.ts),
# absolute because a relative path would resolve against each task's own directory.
if [ ! -f opencode.json ]; then
  base=""
  if [ -n "${ANTHROPIC_BASE_URL:-}" ]; then base='"baseURL": "{env:ANTHROPIC_BASE_URL}", '; fi
  cat > opencode.json <<JSON
{
  "\$schema": "https://opencode.ai/config.json",
  "enabled_providers": ["anthropic"],
  "model": "${model}",
  "small_model": "${model}",
  "provider": { "anthropic": { "options": { ${base}"apiKey": "{env:ANTHROPIC_API_KEY}" } } },
  "permission": { "edit": "allow", "bash": "allow" },
  "skills": { "paths": ["${workspace}/memory/skills"] }
}
JSON
fi

exec opencode serve --port "${OPENCODE_PORT:-4096}" --hostname 0.0.0.0
