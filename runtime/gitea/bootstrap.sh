#!/bin/sh
# Bootstraps the per-user Gitea on first boot, then runs it. Machine env from the provisioner:
#   GITEA_ADMIN_USER   admin user name (growqr-admin)
#   GITEA_ADMIN_TOKEN  per-user secret used as the admin's password; the git manager mints scoped access
#                      tokens with it (POST /api/v1/users/{user}/tokens, HTTP Basic) and stores them encrypted.
set -eu
: "${GITEA_ADMIN_USER:?}" "${GITEA_ADMIN_TOKEN:?}"
mkdir -p /data/gitea /data/git/repositories
gitea migrate
if ! gitea admin user list --admin | grep -q " ${GITEA_ADMIN_USER} "; then
  gitea admin user create --admin --username "$GITEA_ADMIN_USER" --password "$GITEA_ADMIN_TOKEN" \
    --email "${GITEA_ADMIN_USER}@growqr.invalid" --must-change-password=false
else
  # The secret may have been rotated by the provisioner: keep the password in step with the env.
  gitea admin user change-password --username "$GITEA_ADMIN_USER" --password "$GITEA_ADMIN_TOKEN" \
    --must-change-password=false
fi
exec gitea web
