#!/bin/sh
# Runs the mirror benchmark (MirrorBench) by hand, as root: a private pcscd + vpcd (ports 37800/37801) + vicc.
# Usage (from the repository root): card.pcsc-mirror/bench.sh [apdusPerRound] [rounds]
set -e
cd "$(dirname "$0")/.."
mvn -B -q -pl card.pcsc-mirror -am test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
DIR="$PWD/card.pcsc-mirror/target/bench-pcscd"
CP="card.pcsc-mirror/target/test-classes:card.pcsc-mirror/target/classes:$(cat card.pcsc-mirror/target/bench.cp)"
PCSCLITE_CSOCK_NAME="$DIR/run/pcscd.comm" exec java \
    --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED \
    -cp "$CP" org.vccid.card.pcsc.mirror.internal.MirrorBench "$DIR" "$@"
