#!/usr/bin/env bash
# The main job, one command: installs what is missing, builds, starts the Salesforce emulator
# with the example org over TLS on loopback, and drives the plugin through its C ABI with
# cf-salesforce as an admin would: connect (OAuth), test the connection, discover the schema,
# sync the record cache, check the example rules, replay a day of example conversations
# (examples/events/day.jsonl), then shows what happened and the records as Salesforce (the
# emulator) now holds them. Everything it starts and writes is removed at the end.
#
# Usage: tools/demo.sh        (CF_DEMO_KEEP=1 keeps the temporary directory for a look;
#                             CF_DEMO_PRESET=dev uses the dev build instead of release)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

preset=${CF_DEMO_PRESET:-release}  # the tests run it on their own build
tools/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" --target sf-emulator cf-salesforce cf_salesforce_plugin

build=$root/build/$preset
emulator=$build/tools/sfemu/sf-emulator
cli=$build/tools/cf-salesforce
work=$(mktemp -d "${TMPDIR:-/tmp}/cf-demo-XXXXXX")
emulator_pid=""

cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ "${CF_DEMO_KEEP:-0}" = 1 ]; then
    echo "(kept $work)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "Salesforce emulator: the example org over TLS on loopback"
"$emulator" --make-test-certs "$work/certs" >/dev/null
"$emulator" --seed "$root/examples/org" --port 0 --url-file "$work/url" \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" \
  >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/url" ] || { echo "the emulator did not start within 30 s" >&2; exit 1; }
url=$(cat "$work/url")
echo "listening on $url (test CA $work/certs/ca.pem)"

# The connected app and integration user of the example org (examples/org/seed.json). A real
# org's would come from the admin; the password may also be given as {"env": "VARIABLE"}.
read -r client_id client_secret username password \
  < <(python3 "$root/tools/sfemu/seed_login.py" "$root/examples/org/seed.json")

# The key that seals the tokens at rest (AES-256-GCM; docs/key-management.md).
( umask 077; openssl rand -base64 32 >"$work/vault.key" )

cat >"$work/config.json" <<EOF
{
  "name": "demo",
  "instance_url": "$url",
  "login_url": "$url",
  "ca_file": "$work/certs/ca.pem",
  "state_dir": "$work/state",
  "vault_key_file": "$work/vault.key",
  "rule_folder": "$root/examples/rules",
  "time_zone": "America/New_York",
  "log_level": "warn",
  "credentials": {"method": "password", "client_id": "$client_id", "client_secret": "$client_secret",
                  "username": "$username", "password": {"env": "CF_DEMO_PASSWORD"}},
  "testing": {"allow_loopback": true}
}
EOF
export CF_DEMO_PASSWORD=$password

sf() {
  echo "\$ cf-salesforce $*"
  "$cli" --config "$work/config.json" "$@"
}

step "Connect with the OAuth password flow (tokens sealed in the state directory)"
sf connect
step "Test Connection"
sf test
step "Discover the schema (objects, and the custom fields marked *)"
sf discover | grep -E '^[A-Za-z]|\*|^discovered' | grep -v '^(\* custom)'
step "Sync the record cache"
sf sync
step "Check the example rules (the product guide's workflows and use cases)"
sf check "$root/examples/rules"
step "Replay a day of conversations, calls and deals"
replay_status=0
sf replay "$root/examples/events/day.jsonl" || replay_status=$?
if [ "$replay_status" -ne 0 ] && [ "$replay_status" -ne 1 ]; then exit "$replay_status"; fi
echo "(exit status $replay_status: the malformed event at the end is refused on purpose)"
step "Status and API usage"
sf status

step "What Salesforce (the emulator) now holds"
python3 - "$url" "$work/certs/ca.pem" "$client_id" "$client_secret" "$username" <<'EOF'
import json, os, ssl, sys, urllib.parse, urllib.request
url, ca, client_id, client_secret, username = sys.argv[1:6]
tls = ssl.create_default_context(cafile=ca)
def call(path, data=None, headers={}):
    req = urllib.request.Request(url + path, data=data, headers=headers)
    with urllib.request.urlopen(req, context=tls) as r:
        return json.load(r)
token = call("/services/oauth2/token", urllib.parse.urlencode({
    "grant_type": "password", "client_id": client_id, "client_secret": client_secret,
    "username": username, "password": os.environ["CF_DEMO_PASSWORD"]}).encode())["access_token"]
auth = {"Authorization": "Bearer " + token}
def soql(q):
    return call("/services/data/v59.0/query?q=" + urllib.parse.quote(q), headers=auth)["records"]
def show(title, q, cols):
    rows = soql(q)
    print(f"{title}: {len(rows)}")
    for r in rows:
        print("   ", " | ".join(str(r.get(c)) for c in cols))
show("Leads created today (the visitor who came back within a minute has one)",
     "SELECT Id, Name, Company, Email, Phone, LeadSource FROM Lead WHERE CreatedDate = TODAY",
     ["Id", "Name", "Company", "Email", "Phone", "LeadSource"])
show("Opportunities closed (won or lost) today",
     "SELECT Id, Name, StageName, IsWon, Amount FROM Opportunity WHERE IsClosed = true AND LastModifiedDate = TODAY",
     ["Id", "Name", "StageName", "IsWon", "Amount"])
show("Opportunities moved today, still open",
     "SELECT Id, Name, StageName, Probability, CloseDate, NextStep FROM Opportunity WHERE IsClosed = false AND LastModifiedDate = TODAY",
     ["Id", "Name", "StageName", "Probability", "CloseDate", "NextStep"])
show("Cases changed today", "SELECT Id, Subject, Status, Priority FROM Case WHERE LastModifiedDate = TODAY",
     ["Id", "Subject", "Status", "Priority"])
show("Tasks logged today", "SELECT Id, Subject, Status, WhoId, WhatId FROM Task WHERE CreatedDate = TODAY",
     ["Id", "Subject", "Status", "WhoId", "WhatId"])
counters = call("/__control/counters")
print(f"API calls served by the emulator in this demo: {counters['total_api_calls']} "
      f"(these queries included)")
EOF
echo
echo "Done. The emulator is stopped and its files removed."
