#!/usr/bin/env bash
# The main job: installs what is missing, builds, and evaluates example conditions against the
# example org with cf-expr (compile errors included, to show the diagnostics).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target cf-expr

expr=build/release/tools/cf-expr
org=(--schema examples/org --records examples/org/records.json --now 2026-11-30T15:00:00Z --tz America/New_York --limit 5)

run() {
  echo
  echo "\$ cf-expr '$1'"
  "$expr" "${org[@]}" "$1" || true
}

run 'Account.AnnualRevenue > $500,000'
run 'Account.AnnualRevenue > $500,000 AND Account.Type = "Customer - Direct" AND Account.Industry IN ("Banking", "Insurance")'
run 'COUNT(Account.Opportunities, IsWon) >= 1 OR ANY(Account.Cases, Status != "Closed" AND Priority = "High")'
run 'Contact.Account.Owner.Name STARTS WITH "A" AND NOT ISBLANK(Contact.Email)'
run 'Opportunity.CloseDate = THIS_QUARTER AND Opportunity.Amount >= 25000'
run 'ANY(Account.Cases, CreatedDate = LAST_N_DAYS:30)'
run 'Account.Tier__c = "Platinium"'
run 'Account.AnualRevenue > 500000'
