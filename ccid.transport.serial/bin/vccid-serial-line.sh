#!/bin/sh
# A pty for libccid's serial driver that survives restarts of the reader side.
#
#   vccid-serial-line.sh LINK PORT [HOST]
#
# Creates the pty LINK (e.g. /tmp/vccid-serial-0; point pcscd's DEVICENAME at LINK:GemPCTwin) and joins it to
# the TCP line of ccid.transport.serial at HOST:PORT (default 127.0.0.1). The pty master is held by the outer
# socat for as long as this script runs; the TCP side is a loop that reconnects whenever the reader side closes
# or is not there yet. So the pty never vanishes when our JVM restarts (libccid spins at 100 % CPU if the pty
# master goes away under a running pcscd).
#
# Order: start this before pcscd; stop pcscd before stopping this (SIGTERM to this script's process group).
set -eu
if [ "${1:-}" = "--connect" ]; then
    # inner loop: stdin/stdout are pipes to the outer socat; one TCP connection at a time
    while :; do
        socat - "TCP:${3:-127.0.0.1}:$2,nodelay" 2>/dev/null || true
        sleep 0.2
    done
fi
LINK=${1:?usage: $0 LINK PORT [HOST]}
PORT=${2:?usage: $0 LINK PORT [HOST]}
HOST=${3:-127.0.0.1}
exec socat PTY,link="$LINK",rawer SYSTEM:"sh $0 --connect $PORT $HOST",pipes
