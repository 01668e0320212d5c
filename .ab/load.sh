#!/bin/bash
# usage: load.sh port seconds
P=$1; D=${2:-10}
TOKEN=$(curl -s -X POST localhost:$P/api/io/auth/customers -H 'content-type: application/json' -d '{"storeHash":"f0qyczpkb2","email":"m.curie@greatbuys.com","password":"Passw0rd!","channelId":1,"name":"bench"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(typeof j.data.token==="string"?j.data.token:j.data.token[0])})')
AC=node_modules/.bin/autocannon
$AC -c 50 -d $D -H "authToken: $TOKEN" "http://127.0.0.1:$P/api/v2/users?limit=10" 2>&1 | grep -E "Req/Sec|requests in" | head -2
$AC -c 50 -d $D -H "authToken: $TOKEN" "http://127.0.0.1:$P/api/v2/users?limit=10&offset=900000" 2>&1 | grep -E "requests in"
$AC -c 50 -d $D -m POST -H 'content-type: application/json' -H 'x-auth-token: demo-account-token-full' -b '{"query":"{ account { users(first: 10) { edges { node { id email firstName lastName } } collectionInfo { totalItems } } } }"}' http://127.0.0.1:$P/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql 2>&1 | grep -E "requests in"
$AC -c 50 -d $D -m POST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -b '{"query":"query GetUsers { users(companyId: 123456, first: 12, offset: 0) { totalCount edges { node { id email firstName lastName } } } }"}' http://127.0.0.1:$P/graphql 2>&1 | grep -E "requests in"
