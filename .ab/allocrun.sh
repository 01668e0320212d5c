#!/bin/bash
# usage: allocrun.sh rest|account|b2b
(node --import ./.ab/allocprobe.mjs dist/main.js serve --port 4102 --database sqlite:/tmp/big2.db --account-rate-limit off --b2b-rate-limit off --log-level warn > /dev/null & echo $! > /tmp/srv.pid); sleep 2; PID=$(cat /tmp/srv.pid)
TOKEN=$(curl -s -X POST localhost:4102/api/io/auth/customers -H 'content-type: application/json' -d '{"storeHash":"f0qyczpkb2","email":"m.curie@greatbuys.com","password":"Passw0rd!","channelId":1,"name":"bench"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.data.token)})')
AC=node_modules/.bin/autocannon
run() {
case $1 in
rest) $AC -c 50 -d $2 -H "authToken: $TOKEN" "http://127.0.0.1:4102/api/v2/users?limit=10" ;;
account) $AC -c 50 -d $2 -m POST -H 'content-type: application/json' -H 'x-auth-token: demo-account-token-full' -b '{"query":"{ account { users(first: 10) { edges { node { id email firstName lastName } } collectionInfo { totalItems } } } }"}' http://127.0.0.1:4102/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql ;;
b2b) $AC -c 50 -d $2 -m POST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -b '{"query":"query GetUsers { users(companyId: 123456, first: 12, offset: 0) { totalCount edges { node { id email firstName lastName } } } }"}' http://127.0.0.1:4102/graphql ;;
esac
}
run $1 3 > /dev/null 2>&1
kill -WINCH $PID; sleep 0.2
run $1 5 2>&1 | grep -E "requests in|non 2xx"
kill -USR2 $PID; sleep 2; kill $PID
