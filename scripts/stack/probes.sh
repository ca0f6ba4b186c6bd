# shellcheck shell=bash disable=SC2016 # "$db" in single quotes is the MongoDB field name
# Readiness probes for scripts/stack.sh, sourced by it (uses KAFKA_PORT, ES_PORT, FDB_PORT).
# They speak each service's own protocol with bash /dev/tcp, curl and od only: no client
# library or driver is needed, so the probes work before `npm install` and outside Node.
# Each returns 0 when the service answers correctly, non-zero otherwise; none blocks for
# more than a few seconds.

# Kafka ApiVersions v0 over /dev/tcp: a broker answers only once request processing is
# enabled, i.e. after startup completed. Reply: size, correlation id 7, error code 0.
kafka_ready() {
  local hex
  hex=$(timeout 3 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$KAFKA_PORT"'
    printf "\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x00\x07\x00\x05stack" >&3
    head -c 10 <&3 | od -An -tx1' 2>/dev/null | tr -d ' \n') || return 1
  [ "${hex:8:12}" = 000000070000 ]
}

es_ready() {
  curl -fsS --max-time 5 \
    "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null |
    grep -qE '"status":"(green|yellow)"'
}

# A minimal MongoDB wire client in bash (/dev/tcp + od), so readiness and smoke checks need
# no driver: the Node `mongodb` package is not a dependency of this script. Values are
# built as lowercase hex strings; a command is sent as one OP_MSG with a kind-0 section.
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
bson_doc() { local body=$1; echo "$(le32 $((${#body} / 2 + 5)))${body}00"; }
bson_int() { echo "10$(hex_of "$1")00$(le32 "$2")"; }
bson_str() { local v; v=$(hex_of "$2"); echo "02$(hex_of "$1")00$(le32 $((${#v} / 2 + 1)))${v}00"; }
bson_sub() { echo "03$(hex_of "$1")00$2"; }   # NAME DOC
bson_arr() { echo "04$(hex_of "$1")00$2"; }   # NAME DOC keyed "0", "1", ...

# mongo_cmd DOC_HEX: sends the command, prints the reply's body as hex (fails after 5s).
mongo_cmd() {
  local msg="0000000000${1}" # flagBits 0 (4 bytes), section kind 0 (1 byte), the document
  msg="$(le32 $((${#msg} / 2 + 16)))$(le32 $RANDOM)00000000$(le32 2013)$msg"
  timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$FDB_PORT"'
    printf "$(sed "s/../\\\\x&/g" <<<"$1")" >&3
    len=$(head -c 4 <&3 | od -An -tu4 | tr -d " ")
    head -c $((len - 4)) <&3 | od -An -tx1 | tr -d " \n"' _ "$msg" 2>/dev/null
}
OK_1="016f6b00000000000000f03f" # element ok: 1.0 (double)

mongo_ping() {
  local reply
  reply=$(mongo_cmd "$(bson_doc "$(bson_int ping 1)$(bson_str '$db' admin)")") || return 1
  [[ $reply == *"$OK_1"* ]]
}
