"""Plan -> `check-databases.sh`: run on a node, it checks that every database it uses answers.

The node's network is not the jump host's, so the check runs on the node itself. The script
is POSIX sh with no package of its own: it uses the first of nc, bash's /dev/tcp, python3,
python or perl that is there, and a background `sleep` as its own time limit, since
`timeout` is not POSIX either.
"""

from __future__ import annotations

from functools import lru_cache

from wizard.plan import NodePlan, Plan

CONNECT_TIMEOUT = 3


def check_databases_script(node: NodePlan, plan: Plan) -> str:
    """The script for `node`: one line per database it uses, ok or FAILED; exit 1 on any
    failure, 2 when the machine has no way to open a TCP connection."""
    product = f"{node.product_label} {node.version}"
    body = _checks(node, plan)
    pieces = _around_node_id(product, body)
    if pieces is None:
        return _format(node.id, product, body)
    return node.id.join(pieces)


def _checks(node: NodePlan, plan: Plan) -> str:
    """The script's check lines, one per database the node uses."""
    checks = []
    seen: set[str] = set()
    for ds in node.datasources:
        if ds.database_key in seen:
            continue
        seen.add(ds.database_key)
        db = plan.database(ds.database_key)
        label = f"{ds.name} ({db.name} on {db.host}:{db.port})"
        checks.append(f"check {_quote(label)} {_quote(db.host)} {db.port}")
    return "\n".join(checks) if checks else "echo 'this node uses no shared database'"


# Stands for the node id while a product's script is formatted: no shell or format syntax.
_NODE_MARK = "carbon-wizard.node-id.7d2e41"


@lru_cache(maxsize=256)
def _around_node_id(product: str, body: str) -> tuple[str, ...] | None:
    """The script in the pieces between the places its node id goes: the nodes of a product
    differ in nothing else, so the template is formatted once per product, not per node.
    None when the mark would not split the text only there."""
    pieces = tuple(_format(_NODE_MARK, product, body).split(_NODE_MARK))
    return pieces if len(pieces) == _TEMPLATE.count("{node}") + 1 else None


def _format(node_id: str, product: str, body: str) -> str:
    return _TEMPLATE.format(node=node_id, product=product, timeout=CONNECT_TIMEOUT, checks=body)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


_TEMPLATE = """\
#!/bin/sh
# carbon-wizard: check from node {node} ({product}) that every database it uses
# answers on its TCP port. Run it on the node: sh check-databases.sh
# Prints ok or FAILED per database; exits 1 if any failed, 2 if this machine has no tool to
# open a TCP connection. CHECK_METHOD=nc|bash|python3|python|perl chooses the tool and
# CHECK_TIMEOUT the seconds per database ({timeout}). Only TCP is tested: logins are tested by
# `carbon-wizard probe` (from a machine with the database drivers) and by the node's start.

TIMEOUT=${{CHECK_TIMEOUT:-{timeout}}}

# nc only counts when it has -z (zero-I/O: connect, then close).
has_nc_z() {{
    command -v nc >/dev/null 2>&1 || return 1
    nc -h 2>&1 | grep -q -e '-z'
}}

pick_method() {{
    if [ -n "${{CHECK_METHOD:-}}" ]; then
        echo "$CHECK_METHOD"
    elif has_nc_z; then
        echo nc
    elif command -v bash >/dev/null 2>&1; then
        echo bash
    elif command -v python3 >/dev/null 2>&1; then
        echo python3
    elif command -v python >/dev/null 2>&1; then
        echo python
    elif command -v perl >/dev/null 2>&1; then
        echo perl
    fi
}}

# One connection attempt with the chosen tool. Its own time limit is longer than the
# watchdog's below, so that a timeout always shows as one (a killed attempt).
try_connect() {{
    limit=$((TIMEOUT + 2))
    case "$METHOD" in
        nc) nc -z -w "$limit" "$1" "$2" </dev/null >/dev/null 2>&1 ;;
        bash) bash -c 'exec 3<>"/dev/tcp/$1/$2"' check "$1" "$2" </dev/null >/dev/null 2>&1 ;;
        python3 | python)
            "$METHOD" -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), float(sys.argv[3])).close()' \\
                "$1" "$2" "$limit" </dev/null >/dev/null 2>&1 ;;
        perl)
            perl -e 'my $s; eval {{ require IO::Socket::IP;
  $s = IO::Socket::IP->new(PeerHost => $ARGV[0], PeerPort => $ARGV[1], Timeout => $ARGV[2]) }};
$s ||= do {{ require IO::Socket::INET;
  IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Timeout => $ARGV[2]) }};
exit($s ? 0 : 1);' "$1" "$2" "$limit" </dev/null >/dev/null 2>&1 ;;
        *) return 3 ;;
    esac
}}

# try_connect under a watchdog: a black-holed address fails after TIMEOUT seconds (the
# status is then above 128: the attempt was killed).
probe() {{
    try_connect "$1" "$2" &
    attempt=$!
    (sleep "$TIMEOUT"; kill "$attempt" 2>/dev/null) >/dev/null 2>&1 &
    watchdog=$!
    # 2>/dev/null: the shell reports a killed job ("Terminated") on stderr.
    wait "$attempt" 2>/dev/null
    status=$?
    kill "$watchdog" 2>/dev/null
    wait "$watchdog" 2>/dev/null
    return "$status"
}}

FAILED=0
check() {{
    probe "$2" "$3"
    result=$?
    if [ "$result" -eq 0 ]; then
        echo "ok      $1"
    elif [ "$result" -gt 128 ]; then
        echo "FAILED  $1: no answer from $2:$3 within $TIMEOUT s (firewall or wrong address?)"
        FAILED=1
    else
        echo "FAILED  $1: $2:$3 refused the connection, does not resolve or is unreachable"
        FAILED=1
    fi
}}

METHOD=$(pick_method)
case "$METHOD" in
    nc | bash | python3 | python | perl)
        if ! command -v "$METHOD" >/dev/null 2>&1; then
            echo "CHECK_METHOD=$METHOD: $METHOD is not installed on this machine" >&2
            exit 2
        fi ;;
    "")
        echo "cannot check: none of nc (with -z), bash, python3, python or perl is installed" >&2
        echo "on this machine; test each database port by hand (e.g. telnet HOST PORT)." >&2
        exit 2 ;;
    *)
        echo "CHECK_METHOD=$METHOD is not one of nc, bash, python3, python, perl" >&2
        exit 2 ;;
esac
echo "node {node}: checking database ports with $METHOD"

{checks}

if [ "$FAILED" -ne 0 ]; then
    echo "some databases did not answer: check the host names, ports and firewalls above"
    exit 1
fi
echo "every database answered"
"""
