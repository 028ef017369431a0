#!/bin/sh
# Starts OpenCode on the workspace volume (/workspace). The provisioner passes, as machine env:
#   OPENCODE_SERVER_PASSWORD  per-user server password (HTTP Basic, user "opencode"); required
#   ANTHROPIC_API_KEY         provider key (optional: without it sessions cannot call the model)
#   ANTHROPIC_BASE_URL        optional provider base URL (must end in /v1)
#   OPENCODE_MODEL            optional, default anthropic/claude-sonnet-4-5
set -eu
: "${OPENCODE_SERVER_PASSWORD:?OPENCODE_SERVER_PASSWORD must be set: the server is never started open}"
mkdir -p "$HOME"
cd /workspace
# Written once: the user (or a skill) may edit it afterwards, and it lives on the volume.
if [ ! -f opencode.json ]; then
  model="${OPENCODE_MODEL:-anthropic/claude-sonnet-4-5}"
  base=""
  if [ -n "${ANTHROPIC_BASE_URL:-}" ]; then base="\"baseURL\": \"${ANTHROPIC_BASE_URL}\","; fi
  cat > opencode.json <<JSON
{
  "\$schema": "https://opencode.ai/config.json",
  "enabled_providers": ["anthropic"],
  "model": "${model}",
  "small_model": "${model}",
  "provider": { "anthropic": { "options": { ${base} "apiKey": "{env:ANTHROPIC_API_KEY}" } } },
  "permission": { "edit": "allow", "bash": "allow" }
}
JSON
fi
exec opencode serve --port 4096 --hostname 0.0.0.0
