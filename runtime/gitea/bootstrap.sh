#!/bin/sh
# Entrypoint of the per-user Gitea machine (runtime/gitea/Dockerfile): writes app.ini through the official
# image's own config generation, migrates, creates the admin once, then execs the server.
#
# Machine env from the provisioner (provisioner/src/stack/machine-spec.ts):
#   GITEA_ADMIN_USER   admin user name (growqr-admin)
#   GITEA_ADMIN_PASSWORD  per-user secret, the admin's password. Gitea cannot import a token value, and it mints
#                      access tokens only for HTTP Basic callers (POST /api/v1/users/{user}/tokens), so the
#                      git manager authenticates as GITEA_ADMIN_USER:GITEA_ADMIN_PASSWORD to mint scoped tokens.
#
# Assumptions about gitea/gitea:1.22-rootless (not pulled here; stated so a newer tag can be checked against them):
#   - /usr/local/bin/docker-setup.sh (bash) prepares $HOME, $GITEA_CUSTOM (chmod 0500: so never the work dir
#     or the config's directory), $GITEA_TEMP, writes $GITEA_APP_INI from /etc/templates/app.ini when it is
#     missing, then runs `environment-to-ini --config $GITEA_APP_INI`, which applies every GITEA__section__KEY env
#     var (`_0X2E_` encodes a dot in a section name; sections are lowercased) on every boot. The image's entrypoint,
#     /usr/local/bin/docker-entrypoint.sh, only runs that script and then `gitea -c $GITEA_APP_INI web`.
#     If the script is missing, environment-to-ini is called directly (it creates the file).
#   - the binary is `gitea` on PATH (/usr/local/bin/gitea), the unprivileged user is `git`; the CLI takes
#     `--config <app.ini>` before the subcommand; `gitea generate secret SECRET_KEY` prints a fresh key.
#   - `gitea admin user list` prints a header line, then one user per line with the name in column 2.
# Paths for tests: GROWQR_DATA_DIR (default /data), GROWQR_GITEA_SETUP (default the image's docker-setup.sh).
set -eu

: "${GITEA_ADMIN_USER:?GITEA_ADMIN_USER must be set (machine env from the provisioner)}"
: "${GITEA_ADMIN_PASSWORD:?GITEA_ADMIN_PASSWORD must be set (machine env from the provisioner)}"

data_dir="${GROWQR_DATA_DIR:-/data}"
run_user="${GROWQR_RUN_USER:-git}"

# A fresh Fly volume is owned by root: hand it to the unprivileged user once, then continue as that user.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$data_dir"
  if [ "$(stat -c %U "$data_dir")" != "$run_user" ]; then
    chown -R "$run_user:$run_user" "$data_dir"
  fi
  exec su-exec "$run_user" "$0" "$@"
fi

export GITEA_WORK_DIR="${GITEA_WORK_DIR:-$data_dir/gitea}"
export GITEA_CUSTOM="${GITEA_CUSTOM:-$GITEA_WORK_DIR/custom}"
export GITEA_APP_INI="${GITEA_APP_INI:-$GITEA_WORK_DIR/conf/app.ini}"

# Where and how it listens. ROOT_URL: the public address through Fly's proxy unless the env says otherwise.
port="${GITEA__server__HTTP_PORT:-3000}"
if [ -z "${GITEA__server__ROOT_URL:-}" ]; then
  if [ -n "${FLY_APP_NAME:-}" ]; then
    GITEA__server__ROOT_URL="https://${FLY_APP_NAME}.fly.dev/"
  else
    GITEA__server__ROOT_URL="http://localhost:${port}/"
  fi
fi
domain="$(printf '%s\n' "$GITEA__server__ROOT_URL" | sed -e 's#^[a-zA-Z]*://##' -e 's#[/:].*$##')"
export GITEA__server__HTTP_PORT="$port"
export GITEA__server__ROOT_URL
export GITEA__server__DOMAIN="${GITEA__server__DOMAIN:-$domain}"
export GITEA__server__DISABLE_SSH=true
export GITEA__server__START_SSH_SERVER=false
export GITEA__server__OFFLINE_MODE=true

# Storage: sqlite and repositories on the volume.
export GITEA__database__DB_TYPE=sqlite3
export GITEA__database__PATH="${GITEA__database__PATH:-$GITEA_WORK_DIR/data/gitea.db}"
export GITEA__repository__ROOT="${GITEA__repository__ROOT:-$data_dir/git/repositories}"
export GITEA__log__LEVEL="${GITEA__log__LEVEL:-Warn}"

# Locked down, whatever the env says: no installer, no sign-up, nothing visible without signing in.
export GITEA__security__INSTALL_LOCK=true
export GITEA__service__DISABLE_REGISTRATION=true
export GITEA__service__SHOW_REGISTRATION_BUTTON=false
export GITEA__service__REQUIRE_SIGNIN_VIEW=true
export GITEA__service__ENABLE_REVERSE_PROXY_AUTHENTICATION=false
export GITEA__service__ENABLE_REVERSE_PROXY_AUTHENTICATION_API=false
export GITEA__service__DEFAULT_KEEP_EMAIL_PRIVATE=true
export GITEA__service__DEFAULT_ALLOW_CREATE_ORGANIZATION=false
export GITEA__service_0X2E_explore__REQUIRE_SIGNIN_VIEW=true
export GITEA__service_0X2E_explore__DISABLE_USERS_PAGE=true
export GITEA__openid__ENABLE_OPENID_SIGNIN=false
export GITEA__openid__ENABLE_OPENID_SIGNUP=false
export GITEA__repository__FORCE_PRIVATE=true
export GITEA__repository__DEFAULT_PRIVATE=private
export GITEA__api__ENABLE_SWAGGER=false
export GITEA__cron_0X2E_update_checker__ENABLED=false

mkdir -p "$GITEA_WORK_DIR/data" "$GITEA__repository__ROOT" "$(dirname "$GITEA_APP_INI")"

# This machine's own SECRET_KEY (Gitea otherwise falls back to a well-known default), made once, kept on the volume.
secret_file="$GITEA_WORK_DIR/data/secret_key"
if [ ! -s "$secret_file" ]; then
  (umask 077 && gitea generate secret SECRET_KEY >"$secret_file.tmp")
  mv "$secret_file.tmp" "$secret_file"
fi
GITEA__security__SECRET_KEY="$(cat "$secret_file")"
export GITEA__security__SECRET_KEY

# The image's own config generation.
setup="${GROWQR_GITEA_SETUP:-/usr/local/bin/docker-setup.sh}"
if [ -x "$setup" ]; then
  "$setup"
else
  echo "growqr-gitea: $setup not found, running environment-to-ini directly" >&2
  environment-to-ini --config "$GITEA_APP_INI"
fi
if ! grep -Eq '^[[:space:]]*INSTALL_LOCK[[:space:]]*=[[:space:]]*true[[:space:]]*$' "$GITEA_APP_INI" 2>/dev/null; then
  echo "growqr-gitea: $GITEA_APP_INI was not written with INSTALL_LOCK = true; refusing to start" >&2
  exit 1
fi

gitea --config "$GITEA_APP_INI" migrate

# The admin, created once: a reboot finds it and leaves it alone.
users="$(gitea --config "$GITEA_APP_INI" admin user list)"
if printf '%s\n' "$users" | awk -v u="$GITEA_ADMIN_USER" 'NR > 1 && $2 == u { found = 1 } END { exit !found }'; then
  echo "growqr-gitea: admin ${GITEA_ADMIN_USER} exists" >&2
else
  gitea --config "$GITEA_APP_INI" admin user create --admin --username "$GITEA_ADMIN_USER" \
    --password "$GITEA_ADMIN_PASSWORD" --email "${GITEA_ADMIN_USER}@growqr.invalid" --must-change-password=false
fi

exec gitea --config "$GITEA_APP_INI" web
