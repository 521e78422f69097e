// The process that tests/salesforce/dispatch_crash_test.cc kills with SIGKILL, again and
// again: it accepts events' actions into the outbox of a state file and dispatches them to an
// emulator through the Salesforce connector, continuing from wherever the last run stopped.
//
//   outbox_crash_child STATE_FILE TOTAL_EVENTS EVENTS_PER_SECOND
//   environment: CF_CRASH_URL (the emulator), CF_CRASH_CA (its CA file), CF_CRASH_CLIENT_ID,
//   CF_CRASH_CLIENT_SECRET, CF_CRASH_USERNAME, CF_CRASH_PASSWORD (credentials stay out of argv)
//
// Event k (0-based, k < TOTAL_EVENTS) is: a Case "crash-case-k" when k % 4 != 3, else a Lead
// "crash-lead-k" (Company "Crash Co") and a Task "crash-task-k" whose WhoId is that Lead. The
// events already accepted are counted from the outbox itself (one group per event), so a run
// never accepts an event twice and never skips one. Events arrive at EVENTS_PER_SECOND (as a
// host's would), so the kills fall while events are still being accepted, not only after.
//
// Exit status: 0 when every accepted action is done; 3 when some are dead letters or the
// outbox did not drain in time; 1 on a setup error (message on stderr); 2 on bad usage.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/salesforce_connector.h"
#include "connectors/salesforce/session.h"
#include "connectors/salesforce/sf_client.h"
#include "engine/dispatcher.h"
#include "engine/outbox.h"
#include "engine/sqlite_state_store.h"
#include "tests/support/action_builders.h"

namespace {

using cf::engine::Action;
using cf::engine::ActionField;
using cf::engine::ActionKind;
using cf::test_support::Value;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::vector<Action> Event(int64_t k) {
  const std::string n = std::to_string(k);
  std::vector<Action> actions;
  if (k % 4 != 3) {
    Action c;
    c.kind = ActionKind::kCreate;
    c.object = "Case";
    c.fields = {Value("Subject", "crash-case-" + n), Value("Origin", "Web")};
    actions.push_back(std::move(c));
    return actions;
  }
  Action lead;
  lead.kind = ActionKind::kCreate;
  lead.object = "Lead";
  lead.fields = {Value("LastName", "crash-lead-" + n), Value("Company", "Crash Co")};
  Action task;
  task.kind = ActionKind::kLogTask;
  task.object = "Task";
  ActionField who;
  who.name = "WhoId";
  who.kind = ActionField::Kind::kActionId;
  who.action = 0;
  task.fields = {Value("Subject", "crash-task-" + n), who};
  actions.push_back(std::move(lead));
  actions.push_back(std::move(task));
  return actions;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "outbox_crash_child: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: outbox_crash_child STATE_FILE TOTAL_EVENTS EVENTS_PER_SECOND\n");
    return 2;
  }
  const std::string state_path = argv[1];
  const int64_t total = std::atoll(argv[2]);
  const int64_t rate = std::max<int64_t>(1, std::atoll(argv[3]));

  std::unique_ptr<cf::engine::SqliteStateStore> raw;
  cf::engine::Status s = cf::engine::SqliteStateStore::Open(state_path, {}, &raw);
  if (!s.ok()) return Fail(s.message());
  std::shared_ptr<cf::engine::SqliteStateStore> store = std::move(raw);
  std::unique_ptr<cf::engine::Outbox> outbox;
  s = cf::engine::Outbox::Open(store, {}, &outbox);
  if (!s.ok()) return Fail(s.message());

  // Events accepted by earlier runs: one group (whose first entry has id == group) each.
  int64_t accepted = 0;
  for (cf::engine::OutboxState st :
       {cf::engine::OutboxState::kPending, cf::engine::OutboxState::kInFlight,
        cf::engine::OutboxState::kDone, cf::engine::OutboxState::kDead}) {
    int64_t after = 0;
    for (;;) {
      std::vector<cf::engine::OutboxEntry> entries;
      s = store->OutboxList(st, after, 1000, &entries);
      if (!s.ok()) return Fail(s.message());
      if (entries.empty()) break;
      for (const cf::engine::OutboxEntry& e : entries) accepted += e.id == e.group;
      after = entries.back().id;
    }
  }

  cf::sf::TransportOptions topts;
  topts.ca_file = Env("CF_CRASH_CA");
  topts.timeout = std::chrono::seconds(10);
  std::string error;
  std::shared_ptr<cf::sf::HttpTransport> http = cf::sf::MakeHttpTransport(topts, &error);
  if (!http) return Fail(error);
  const std::string url = Env("CF_CRASH_URL");
  cf::sf::OAuthApp app{Env("CF_CRASH_CLIENT_ID"), cf::sf::SecretString(Env("CF_CRASH_CLIENT_SECRET")),
                       ""};
  cf::sf::RetryOptions retry;
  retry.max_attempts = 3;
  retry.base_delay = std::chrono::milliseconds(2);
  retry.max_delay = std::chrono::milliseconds(10);
  retry.honour_retry_after = false;
  auto oauth = std::make_shared<cf::sf::OAuthClient>(http, url, app, cf::sf::RetryPolicy(retry));
  cf::sf::TokenResult grant = oauth->PasswordGrant(
      Env("CF_CRASH_USERNAME"), cf::sf::SecretString(Env("CF_CRASH_PASSWORD")));
  if (!grant.ok()) return Fail("login failed: " + grant.failure.Describe());
  auto session = std::make_shared<cf::sf::Session>(grant.grant->access_token, std::nullopt, oauth);
  auto budget = std::make_shared<cf::sf::ApiBudget>(
      cf::sf::ApiBudgetOptions{.share = 1.0, .org_ceiling = 1.0});
  cf::sf::ClientOptions copts;
  copts.retry = retry;
  cf::sf::SalesforceClient client(http, grant.grant->instance_url, session, budget, copts);
  cf::sf::SalesforceConnector connector(client);

  cf::engine::DispatcherOptions dopts;
  dopts.workers = 2;
  dopts.batch_size = 200;
  dopts.backoff_base = std::chrono::milliseconds(5);
  dopts.backoff_max = std::chrono::milliseconds(50);
  dopts.idle_wait = std::chrono::milliseconds(20);
  dopts.max_attempts = 1000;  // the faults are transient: never give up in this test
  cf::engine::Dispatcher dispatcher(outbox.get(), &connector, {}, dopts);
  s = dispatcher.Start();
  if (!s.ok()) return Fail(s.message());
  std::printf("run: %lld events already accepted\n", static_cast<long long>(accepted));
  std::fflush(stdout);

  const auto start = std::chrono::steady_clock::now();
  for (int64_t k = accepted; k < total; ++k) {
    std::this_thread::sleep_until(start + std::chrono::microseconds((k - accepted) * 1'000'000 / rate));
    s = outbox->Accept(Event(k));
    if (!s.ok()) return Fail(s.message());
    if (k % 16 == 0) dispatcher.Wake();
  }
  dispatcher.Wake();
  const bool idle = dispatcher.WaitIdle(std::chrono::seconds(60));
  dispatcher.Stop();
  int64_t dead = 0;
  s = outbox->Count(cf::engine::OutboxState::kDead, &dead);
  if (!s.ok()) return Fail(s.message());
  std::printf("finished: idle=%d dead=%lld\n", idle ? 1 : 0, static_cast<long long>(dead));
  return idle && dead == 0 ? 0 : 3;
}
