#!/bin/bash
# usage: rss.sh "<node flags>" [seconds]
FLAGS=$1; D=${2:-6}
rm -f /tmp/big2.db-wal /tmp/big2.db-shm
node $FLAGS dist/main.js serve --port 4101 --database sqlite:/tmp/big2.db --account-rate-limit off --b2b-rate-limit off --log-level warn > /dev/null &
PID=$!
sleep 1.5
OUT=$(.ab/load.sh 4101 $D | grep "requests in" | awk '{print $1}' | tr '\n' ' ')
HWM=$(grep VmHWM /proc/$PID/status | awk '{print $2/1024}')
kill $PID; wait $PID 2>/dev/null
echo "flags=[$FLAGS] hwm=$HWM MB reqs: $OUT"
