#!/bin/sh
# Creates mmzoom's role and database beside Mattermost's. The postgres image runs the scripts of
# /docker-entrypoint-initdb.d once, when its data directory is new; on an existing server run the same
# two statements with psql as an administrator.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$MMZOOM_DB" -v role="$MMZOOM_DB_USER" -v password="$MMZOOM_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
SQL
