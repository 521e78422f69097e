#!/usr/bin/env bash
# End-to-end test of cf-salesforce (registered with CTest in tools/CMakeLists.txt): starts its
# own emulator over TLS on loopback, then runs every command against it through the plugin's C
# ABI and checks the output and the exit status, including the failure cases an admin meets.
#   cf_salesforce_test.sh CF_SALESFORCE SF_EMULATOR PLUGIN SOURCE_DIR CF_HOST
set -euo pipefail
cli=$1 emulator=$2 plugin=$3 src=$4 host=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/cf-cli-test-XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

"$emulator" --make-test-certs "$work/certs" >/dev/null
"$emulator" --seed "$src/examples/org" --port 0 --url-file "$work/url" \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" >"$work/emu.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -s "$work/url" ] && break; sleep 0.1; done
[ -s "$work/url" ] || { cat "$work/emu.log"; fail "the emulator did not start"; }
url=$(cat "$work/url")

read -r client_id client_secret username password \
  < <(python3 "$src/tools/sfemu/seed_login.py" "$src/examples/org/seed.json")
( umask 077; openssl rand -base64 32 >"$work/vault.key" )
config() {  # config FILE PASSWORD_VARIABLE
  cat >"$1" <<EOF
{"name": "cli-test", "instance_url": "$url", "login_url": "$url", "ca_file": "$work/certs/ca.pem",
 "state_dir": "$work/state", "vault_key_file": "$work/vault.key",
 "rule_folder": "$src/examples/rules",
 "credentials": {"method": "password", "client_id": "$client_id", "client_secret": "$client_secret",
                 "username": "$username", "password": {"env": "$2"}},
 "testing": {"allow_loopback": true}}
EOF
}
config "$work/good.json" CF_TEST_PASSWORD
export CF_TEST_PASSWORD=$password CF_TEST_WRONG="not-the-password"

# run EXPECTED_STATUS PATTERN ARGS...: the command's status and that its output matches.
run() {
  local want=$1 pattern=$2; shift 2
  local got=0
  "$cli" --plugin "$plugin" "$@" >"$work/out" 2>&1 || got=$?
  [ "$got" -eq "$want" ] || { cat "$work/out"; fail "cf-salesforce $* exited $got, expected $want"; }
  grep -Eq -- "$pattern" "$work/out" || { cat "$work/out"; fail "cf-salesforce $*: no match for /$pattern/"; }
  if grep -Fq -- "$password" "$work/out"; then fail "cf-salesforce $* printed the password"; fi
}

run 2 "unknown command 'bogus'" --config "$work/good.json" bogus
run 2 "config is required|--config FILE is required" status
run 0 "usage: cf-salesforce" --help
echo '{"name": ""}' >"$work/bad.json"
run 2 "config\.(name|state_dir)" --config "$work/bad.json" status

config "$work/wrong.json" CF_TEST_WRONG
run 3 "authentication|password|credentials" --config "$work/wrong.json" connect

run 0 "^connection: connected" --config "$work/good.json" connect
run 0 "connected to org 00DDn000000CfDmMAK as $username" --config "$work/good.json" test
run 0 "^Account .*fields|ConnectFlo_Action_Id__c \*" --config "$work/good.json" discover
grep -Eq "^discovered [0-9]+ objects with 3 API calls" "$work/out" || fail "discover: not 3 API calls"
run 0 "sync succeeded: 51 records" --config "$work/good.json" sync
run 0 "16 rules in 8 files, no errors" --config "$work/good.json" check
run 0 "matches 3 of 10 cached Account records \(3 unknown" --config "$work/good.json" \
  preview Account 'Account.AnnualRevenue > $500,000,000'
grep -q "001Dn00001NRuOUIA1AAX\|001Dn00001NRuOUIA1" "$work/out" || fail "preview: Kestrel not listed"
run 1 "unknown field 'AnualRevenue' on Account" --config "$work/good.json" \
  preview Account 'Account.AnualRevenue > 5'
run 2 "not a record of the rule set" --config "$work/good.json" preview Widget 'true'
run 1 "unknown field 'Compnay' on Lead" --config "$work/good.json" check "$src/tests/golden/rules_check"
# The reference host in C: callbacks deliver host actions and outcomes; the visitor who came
# back within a minute (events 4 and 7) gets one Lead.
head -8 "$src/examples/events/day.jsonl" >"$work/morning.jsonl"
"$host" --plugin "$plugin" --config "$work/good.json" --drain 30 <"$work/morning.jsonl" >"$work/host.out" 2>"$work/host.err" \
  || { cat "$work/host.err"; fail "cf-host exited $?"; }
grep -Eq '^host_action .*"kind":"route_to_team"' "$work/host.out" || fail "cf-host: no routing delivered"
grep -Eq '^outcome .*"object":"Lead","record_id":"00Q' "$work/host.out" || fail "cf-host: no Lead created"
grep -Eq '^outcome .*"merged_into"' "$work/host.out" || fail "cf-host: the second Lead was not merged"
grep -Eq 'actions queued, ([0-9]+) outcomes' "$work/host.err" || fail "cf-host: no summary"
queued=$(sed -nE 's/.*: ([0-9]+) actions queued, ([0-9]+) outcomes.*/\1/p' "$work/host.err")
outcomes=$(sed -nE 's/.*: ([0-9]+) actions queued, ([0-9]+) outcomes.*/\2/p' "$work/host.err")
[ "$queued" = "$outcomes" ] || { cat "$work/host.err"; fail "cf-host: $queued queued, $outcomes outcomes"; }

# A value Salesforce refuses for good (a Company longer than 255 characters): the action becomes
# a dead letter with Salesforce's error; replaying it before the cause is fixed fails again.
long=$(printf 'X%.0s' $(seq 1 300))
printf '{"type": "call.ended", "id": "evt-long", "call": {"id": "call-long", "direction": "inbound", "notes": "n", "customer": {"phone": "+1 555 0777", "last_name": "Long", "company": "%s"}}}\n' "$long" >"$work/long.jsonl"
"$host" --plugin "$plugin" --config "$work/good.json" --drain 30 <"$work/long.jsonl" >"$work/host2.out" 2>"$work/host2.err" \
  || { cat "$work/host2.err"; fail "cf-host (long company) exited $?"; }
grep -Eq '^outcome .*"status":"failed"' "$work/host2.out" || { cat "$work/host2.out"; fail "cf-host: no failed outcome"; }
run 0 "cf-[0-9a-f]+-[0-9]+  create Lead  failed .*STRING_TOO_LONG|data value too large" --config "$work/good.json" dead-letters
dead=$(grep -Eo '^cf-[0-9a-f]+-[0-9]+' "$work/out" | head -1)
run 0 "replayed [1-9][0-9]* actions" --config "$work/good.json" dead-letters --replay "$dead"
run 1 "not a dead letter" --config "$work/good.json" dead-letters --replay cf-0-1
run 2 "dead-letters takes" --config "$work/good.json" dead-letters --bogus

run 1 "27 events: [0-9]+ rules fired, [0-9]+ actions, 1 refused" \
  --config "$work/good.json" replay "$src/examples/events/day.jsonl"
grep -Eq 'fired: "Account insights", "Platinum customers first"' "$work/out" || fail "replay: rules"
grep -Eq 'conversation.started_at: expected a date-time' "$work/out" || fail "replay: the bad event"
grep -Eq '^outbox: every accepted action has left; [0-9]+ dead letters' "$work/out" || fail "replay: the outbox did not drain"
run 0 '"Name": "Kestrel Banking Group"' --config "$work/good.json" enrich --email Olivia.Hart@kestrel.example
run 1 "" --config "$work/good.json" enrich --email nobody@nowhere.example
run 0 "^connection: connected" --config "$work/good.json" status
echo "cf-salesforce: every command behaved"
