# shellcheck shell=bash disable=SC2016 # "$db" in single quotes is the MongoDB field name
# Smoke checks for `scripts/stack.sh smoke`, sourced by it: one real round trip through
# each running service, each cleaning up what it created. Each fails the script (die) with
# the unexpected reply. Uses log/die from stack.sh and the wire client from probes.sh.

smoke_es() {
  local idx="stack-smoke-$$" base="http://127.0.0.1:$ES_PORT" out
  curl -fsS -XPUT "$base/$idx" -H 'content-type: application/json' \
    -d '{"mappings":{"properties":{"ts":{"type":"date"},"user":{"type":"keyword"}}}}' >/dev/null
  out=$(curl -fsS -XPOST "$base/_bulk?refresh=true" -H 'content-type: application/x-ndjson' --data-binary @- <<EOF
{"index":{"_index":"$idx"}}
{"ts":"2025-01-01T10:00:00Z","user":"alice"}
{"index":{"_index":"$idx"}}
{"ts":"2025-01-01T11:30:00Z","user":"bob"}
{"index":{"_index":"$idx"}}
{"ts":"2025-01-01T11:45:00Z","user":"alice"}
EOF
  )
  [[ $out == *'"errors":false'* ]] || die "elasticsearch smoke: bulk failed: $out"
  out=$(curl -fsS "$base/$idx/_search" -H 'content-type: application/json' -d '{
    "size":0,"query":{"term":{"user":"alice"}},
    "aggs":{"per_hour":{"date_histogram":{"field":"ts","fixed_interval":"1h"}},
            "users":{"terms":{"field":"user"}}}}')
  curl -fsS -XDELETE "$base/$idx" >/dev/null
  [[ $out == *'"total":{"value":2'* && $out == *'"key":"alice","doc_count":2'* ]] ||
    die "elasticsearch smoke: unexpected search result: $out"
  log "elasticsearch: bulk 3 docs, term query hit 2, date_histogram + terms aggs OK"
}

smoke_ferretdb() {
  local db="stack_smoke_$$" reply docs
  mongo_ping || die "ferretdb smoke: ping failed"
  docs=$(bson_doc "$(bson_sub 0 "$(bson_doc "$(bson_int _id 1)$(bson_str user alice)")")$(bson_sub 1 "$(bson_doc "$(bson_int _id 2)$(bson_str user bob)")")")
  reply=$(mongo_cmd "$(bson_doc "$(bson_str insert events)$(bson_arr documents "$docs")$(bson_str '$db' "$db")")")
  [[ $reply == *"$OK_1"* && $reply == *"$(bson_int n 2)"* ]] || die "ferretdb smoke: insert failed: $reply"
  reply=$(mongo_cmd "$(bson_doc "$(bson_str find events)$(bson_sub filter "$(bson_doc "$(bson_str user bob)")")$(bson_str '$db' "$db")")")
  [[ $reply == *"$OK_1"* && $reply == *"$(bson_int _id 2)$(bson_str user bob)"* && $reply != *"$(hex_of alice)"* ]] ||
    die "ferretdb smoke: find failed: $reply"
  reply=$(mongo_cmd "$(bson_doc "$(bson_int dropDatabase 1)$(bson_str '$db' "$db")")")
  [[ $reply == *"$OK_1"* ]] || die "ferretdb smoke: dropDatabase failed: $reply"
  log "ferretdb: ping, insert 2 docs, find by field, dropDatabase OK (SQLite backend)"
}
