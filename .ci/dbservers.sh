#!/usr/bin/env bash
# Throwaway PostgreSQL and MariaDB servers for the tests (tests/dbservers.py).
#
#   bash .ci/dbservers.sh start    # start both; prints the env file to source
#   bash .ci/dbservers.sh status   # say what runs
#   bash .ci/dbservers.sh stop     # stop both and remove their data
#
# Both listen only on 127.0.0.1; data, logs and unix sockets live in a fresh temp dir.
# Settings (environment):
#   CARBON_WIZARD_DB_STATE     state dir (default /tmp/carbon-wizard-dbservers)
#   CARBON_WIZARD_PG_PORT      PostgreSQL port (default 55432)
#   CARBON_WIZARD_MARIADB_PORT MariaDB port (default 53306)
#   CARBON_WIZARD_PG_BIN       PostgreSQL bin dir (default: newest /usr/lib/postgresql/*/bin)
#   CARBON_WIZARD_DB_WAIT      seconds to wait for each server (default 60)
# Log lines go to stderr; stdout carries only the env file's path (start) or the report (status).
set -euo pipefail

STATE_DIR=${CARBON_WIZARD_DB_STATE:-/tmp/carbon-wizard-dbservers}
STATE_FILE=$STATE_DIR/state
ENV_FILE=$STATE_DIR/env
WAIT=${CARBON_WIZARD_DB_WAIT:-60}
HOST=127.0.0.1

log() { printf '[dbservers] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# PostgreSQL refuses to run as root, and mariadbd needs an explicit --user to.
as_pg() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

log_tail() {
    local file=$1
    if [ -s "$file" ]; then
        log "--- last lines of $file ---"
        tail -n 40 "$file" >&2 || true
        log "--- end of $file ---"
    fi
}

# pid is alive and its command line mentions `pattern` (guards against pid reuse).
alive() {
    local pid=$1 pattern=$2
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

port_in_use() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

find_pg_bin() {
    if [ -n "${CARBON_WIZARD_PG_BIN:-}" ]; then
        printf '%s\n' "$CARBON_WIZARD_PG_BIN"
        return
    fi
    # The Debian server's own binaries; /usr/local/bin may hold another pg_ctl.
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
        sort -V | while read -r d; do
            [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && echo "$d"
        done | tail -n 1)
    [ -n "$dir" ] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    printf '%s\n' "$dir"
}

find_cmd() {
    local name
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return
        fi
        if [ -x "/usr/sbin/$name" ]; then
            echo "/usr/sbin/$name"
            return
        fi
    done
    die "none of [$*] found (apt-get install mariadb-server mariadb-client)"
}

load_state() {
    TMP_DIR='' PG_BIN='' PG_PORT='' MARIADB_PORT=''
    # shellcheck disable=SC1090
    [ -f "$STATE_FILE" ] && . "$STATE_FILE"
    return 0
}

save_state() {
    mkdir -p "$STATE_DIR"
    {
        printf 'TMP_DIR=%q\n' "$TMP_DIR"
        printf 'PG_BIN=%q\n' "$PG_BIN"
        printf 'PG_PORT=%q\n' "$PG_PORT"
        printf 'MARIADB_PORT=%q\n' "$MARIADB_PORT"
    } >"$STATE_FILE.tmp"
    mv "$STATE_FILE.tmp" "$STATE_FILE"
}

pg_pid() {
    [ -n "$TMP_DIR" ] && head -n 1 "$TMP_DIR/pg/data/postmaster.pid" 2>/dev/null || true
}

mariadb_pid() {
    [ -n "$TMP_DIR" ] && cat "$TMP_DIR/mariadb/mariadbd.pid" 2>/dev/null || true
}

pg_running() { alive "$(pg_pid)" "$TMP_DIR/pg/data"; }
mariadb_running() { alive "$(mariadb_pid)" "$TMP_DIR/mariadb/data"; }

# --- stop ------------------------------------------------------------------------------------

stop_pg() {
    local pid
    pid=$(pg_pid)
    if ! alive "$pid" "$TMP_DIR/pg/data"; then
        log "PostgreSQL: not running"
        return 0
    fi
    log "PostgreSQL: stopping (pid $pid)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$TMP_DIR/pg/data" -m fast -w -t "$WAIT" stop >/dev/null 2>&1; then
        log "PostgreSQL: pg_ctl stop failed; killing pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

stop_mariadb() {
    local pid i
    pid=$(mariadb_pid)
    if ! alive "$pid" "$TMP_DIR/mariadb/data"; then
        log "MariaDB: not running"
        return 0
    fi
    log "MariaDB: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < WAIT * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    log "MariaDB: still running after ${WAIT}s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
    load_state
    if [ ! -f "$STATE_FILE" ]; then
        log "nothing to stop (no state in $STATE_DIR)"
        return 0
    fi
    [ -z "$PG_BIN" ] || stop_pg
    stop_mariadb
    # Only ever remove a dir this script made.
    case "$TMP_DIR" in
    */carbon-wizard-db.*)
        log "removing $TMP_DIR"
        rm -rf -- "$TMP_DIR"
        ;;
    esac
    rm -f -- "$ENV_FILE" "$STATE_FILE" "$STATE_FILE.tmp"
    rmdir -- "$STATE_DIR" 2>/dev/null || true
    log "stopped"
}

# --- start -----------------------------------------------------------------------------------

random_password() {
    # Hex: no quoting needed in a libpq keyword DSN, a shell file or SQL.
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

start_pg() {
    local dir=$TMP_DIR/pg
    mkdir -p "$dir/data"
    printf '%s\n' "$PG_PASSWORD" >"$dir/pwfile"
    if is_root; then chown -R postgres: "$dir"; fi
    chmod 0700 "$dir" "$dir/data"

    log "PostgreSQL: initdb with $PG_BIN ($("$PG_BIN/postgres" --version))"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
        --auth-host=scram-sha-256 --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || {
        log_tail "$dir/initdb.log"
        die "PostgreSQL: initdb failed"
    }
    rm -f "$dir/pwfile"
    # Throwaway data: durability settings off for speed.
    cat >>"$dir/data/postgresql.conf" <<EOF

# carbon-wizard throwaway test server
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    log "PostgreSQL: starting on $HOST:$PG_PORT (log $dir/server.log)"
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$WAIT" start >/dev/null 2>&1 || {
        log_tail "$dir/server.log"
        die "PostgreSQL: did not start within ${WAIT}s"
    }

    log "PostgreSQL: checking password login over TCP"
    PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q -A -t \
        "host=$HOST port=$PG_PORT user=postgres dbname=postgres" -c 'SELECT 1' >/dev/null 2>"$dir/check.log" || {
        cat "$dir/check.log" >&2
        log_tail "$dir/server.log"
        die "PostgreSQL: password login over TCP failed"
    }
}

start_mariadb() {
    local dir=$TMP_DIR/mariadb install_db mariadbd client user_opt=() i
    install_db=$(find_cmd mariadb-install-db mysql_install_db)
    mariadbd=$(find_cmd mariadbd mysqld)
    client=$(find_cmd mariadb mysql)
    mkdir -p "$dir/data"
    if is_root; then
        user_opt=(--user=mysql)
        chown -R mysql: "$dir"
    fi
    chmod 0700 "$dir"

    log "MariaDB: mariadb-install-db ($("$mariadbd" --version | head -n 1))"
    # --no-defaults: ignore /etc/mysql (its socket, port and datadir are the system server's).
    # "normal": root@localhost starts with no password; it gets one below.
    "$install_db" --no-defaults "${user_opt[@]}" --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$dir/install-db.log" 2>&1 || {
        log_tail "$dir/install-db.log"
        die "MariaDB: mariadb-install-db failed"
    }

    log "MariaDB: starting on $HOST:$MARIADB_PORT (log $dir/server.log)"
    # utf8mb4 as Debian's own /etc/mysql/mariadb.conf.d/50-server.cnf sets it.
    setsid "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$dir/data" \
        --bind-address="$HOST" --port="$MARIADB_PORT" --socket="$dir/mariadbd.sock" \
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/server.log" --skip-name-resolve \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=128M \
        </dev/null >>"$dir/server.log" 2>&1 &
    local launched=$!

    for ((i = 0; i < WAIT * 5; i++)); do
        if "$client" --no-defaults -S "$dir/mariadbd.sock" -u root -e 'SELECT 1' >/dev/null 2>&1; then
            break
        fi
        if ! kill -0 "$launched" 2>/dev/null && [ ! -s "$dir/mariadbd.pid" ]; then
            log_tail "$dir/server.log"
            die "MariaDB: mariadbd exited during start"
        fi
        sleep 0.2
    done
    if ((i >= WAIT * 5)); then
        log_tail "$dir/server.log"
        die "MariaDB: did not accept connections within ${WAIT}s"
    fi

    log "MariaDB: setting the root password; root may log in from $HOST over TCP"
    "$client" --no-defaults -S "$dir/mariadbd.sock" -u root 2>"$dir/check.log" <<SQL || {
-- No anonymous users; root only as root@localhost (socket) and root@$HOST (TCP).
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '$HOST'));
DELETE FROM mysql.proxies_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '$HOST'));
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'root'@'$HOST';
ALTER USER 'root'@'$HOST' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'$HOST' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
FLUSH PRIVILEGES;
SQL
        cat "$dir/check.log" >&2
        die "MariaDB: setting the root password failed"
    }

    log "MariaDB: checking password login over TCP"
    MYSQL_PWD=$MARIADB_PASSWORD "$client" --no-defaults --protocol=TCP -h "$HOST" -P "$MARIADB_PORT" \
        -u root -e 'SELECT 1' >/dev/null 2>"$dir/check.log" || {
        cat "$dir/check.log" >&2
        log_tail "$dir/server.log"
        die "MariaDB: password login over TCP failed"
    }
}

on_start_exit() {
    local status=$?
    [ "$status" = 0 ] && return 0
    log "start failed; cleaning up"
    stop_all || true
    exit "$status"
}

start_all() {
    load_state
    if [ -f "$STATE_FILE" ]; then
        if pg_running && mariadb_running && [ -f "$ENV_FILE" ]; then
            log "already running (PostgreSQL $HOST:$PG_PORT, MariaDB $HOST:$MARIADB_PORT)"
            printf '%s\n' "$ENV_FILE"
            return 0
        fi
        log "stale state in $STATE_DIR; stopping what is left first"
        stop_all
    fi

    PG_PORT=${CARBON_WIZARD_PG_PORT:-55432}
    MARIADB_PORT=${CARBON_WIZARD_MARIADB_PORT:-53306}
    PG_BIN=$(find_pg_bin)
    find_cmd mariadbd mysqld >/dev/null
    for port in "$PG_PORT" "$MARIADB_PORT"; do
        ! port_in_use "$port" || die "port $HOST:$port is already in use (set CARBON_WIZARD_PG_PORT / CARBON_WIZARD_MARIADB_PORT)"
    done

    TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/carbon-wizard-db.XXXXXX")
    # The server users must get through to their own sub-dirs.
    chmod 0755 "$TMP_DIR"
    save_state
    trap on_start_exit EXIT
    log "data dir $TMP_DIR, state dir $STATE_DIR"

    PG_PASSWORD=$(random_password)
    MARIADB_PASSWORD=$(random_password)
    start_pg
    start_mariadb

    umask 077
    cat >"$ENV_FILE.tmp" <<EOF
export CARBON_WIZARD_TEST_PG='host=$HOST port=$PG_PORT user=postgres password=$PG_PASSWORD'
export CARBON_WIZARD_TEST_MARIADB='host=$HOST port=$MARIADB_PORT user=root password=$MARIADB_PASSWORD'
EOF
    mv "$ENV_FILE.tmp" "$ENV_FILE"
    trap - EXIT
    log "both servers up; source $ENV_FILE"
    printf '%s\n' "$ENV_FILE"
}

status_all() {
    load_state
    if [ ! -f "$STATE_FILE" ]; then
        echo "not running (no state in $STATE_DIR)"
        return 0
    fi
    if pg_running; then
        echo "PostgreSQL: running, pid $(pg_pid), $HOST:$PG_PORT, data $TMP_DIR/pg/data"
    else
        echo "PostgreSQL: NOT running (state in $STATE_DIR)"
    fi
    if mariadb_running; then
        echo "MariaDB: running, pid $(mariadb_pid), $HOST:$MARIADB_PORT, data $TMP_DIR/mariadb/data"
    else
        echo "MariaDB: NOT running (state in $STATE_DIR)"
    fi
    if [ -f "$ENV_FILE" ]; then echo "env file: $ENV_FILE"; fi
}

case "${1:-}" in
start) start_all ;;
stop) stop_all ;;
status) status_all ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
