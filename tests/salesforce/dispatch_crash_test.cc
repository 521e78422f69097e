// The crash test: a separate process (outbox_crash_child) accepts and dispatches thousands of
// actions to the emulator, which runs here and outlives it, with faults on (500s, resets after
// the work is done, 503s); it is killed with SIGKILL at random points many times and
// restarted. At the end every accepted action is in the emulator exactly once, found by its
// action id (Case.ConnectFlo_Action_Id__c) or its unique name (Leads and Tasks, which the
// example org gives no action-id field), and none is missing.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/salesforce/http_transport.h"
#include "engine/outbox.h"
#include "engine/sqlite_state_store.h"
#include "tests/engine/state_test_support.h"
#include "tests/salesforce/connector_fixture.h"

extern char** environ;

namespace cf::sf {
namespace {

using json = nlohmann::json;

class DispatchCrashTest : public testing::ConnectorFixture {
 protected:
  // Starts the child; returns its pid (or -1).
  pid_t Spawn(const std::string& state, int64_t total) {
    const sfemu::OrgUser& user = emu().integration_user();
    std::vector<std::string> env = {
        "CF_CRASH_URL=" + emu().base_url(),
        "CF_CRASH_CA=" + emu().certs().ca_cert,
        "CF_CRASH_CLIENT_ID=" + emu().app().client_id,
        "CF_CRASH_CLIENT_SECRET=" + emu().app().client_secret,
        "CF_CRASH_USERNAME=" + user.username,
        "CF_CRASH_PASSWORD=" + user.password,
    };
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string(*e).rfind("CF_CRASH_", 0) != 0) env.emplace_back(*e);
    }
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string program = CF_OUTBOX_CRASH_CHILD;
    std::string total_text = std::to_string(total);
    std::string rate_text = "300";  // events per second: the kills fall while accepting
    std::vector<char*> argv = {program.data(), const_cast<char*>(state.c_str()),
                               total_text.data(), rate_text.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir_.File("child.log");
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << program;
    return rc == 0 ? pid : -1;
  }

  // Every record of a SOQL query, following nextRecordsUrl.
  std::vector<json> QueryAll(const SalesforceClient& client, const std::string& soql) {
    std::vector<json> out;
    ApiResult r = client.Get("query?q=" + FormEncode(soql));
    for (int pages = 0; pages < 100; ++pages) {
      EXPECT_TRUE(r.ok()) << r.failure->Describe();
      if (!r.ok()) break;
      std::string error;
      json body = r.Json(&error).value_or(json());
      for (const json& rec : body["records"]) out.push_back(rec);
      if (body.value("done", true) || !body.contains("nextRecordsUrl")) break;
      r = client.Get(body["nextRecordsUrl"].get<std::string>());
    }
    return out;
  }

  engine::testing::TempDir dir_;
};

TEST_F(DispatchCrashTest, EveryAcceptedActionLandsExactlyOnceThroughRepeatedKills) {
  constexpr int64_t kEvents = 3200;  // 2,400 Cases + 800 Lead/Task pairs: 4,000 actions
  constexpr int kKills = 16;
  const auto started = std::chrono::steady_clock::now();
  // Transient faults on every collections call: 500s (not carried out), resets after the
  // work is done (outcome unknown), 503s.
  int seed = 1;
  for (const char* kind : {"http500", "reset", "http503"}) {
    sfemu::ClientResponse r = emu().ControlRequest(
        "POST", "faults",
        {{"endpoint", "composite.sobjects"}, {"kind", kind}, {"rate", 0.04}, {"times", -1},
         {"seed", seed++}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  const std::string state = dir_.File("crash.db");
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> delay_ms(250, 1200);
  int killed = 0;
  for (int i = 0; i < kKills; ++i) {
    pid_t pid = Spawn(state, kEvents);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFSIGNALED(status));
      ++killed;
    } else {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    }
  }
  EXPECT_GE(killed, kKills / 2) << "most runs should have been killed mid-way";

  // The last run finishes the work, faults still on.
  pid_t pid = Spawn(state, kEvents);
  ASSERT_GT(pid, 0);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "the last run did not finish in 90 s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ASSERT_EQ(WEXITSTATUS(status), 0) << "see " << dir_.File("child.log");
  json faults = json::parse(emu().ControlRequest("GET", "faults").body);
  for (const json& f : faults["faults"]) EXPECT_GT(f["fired"].get<int>(), 0) << f.dump();
  ASSERT_EQ(emu().ControlRequest("DELETE", "faults").status, 200);

  // What the outbox accepted: every action, all done.
  std::unique_ptr<engine::SqliteStateStore> raw;
  ASSERT_TRUE(engine::SqliteStateStore::Open(state, {}, &raw).ok());
  std::shared_ptr<engine::SqliteStateStore> store = std::move(raw);
  std::unique_ptr<engine::Outbox> outbox;
  ASSERT_TRUE(engine::Outbox::Open(store, {}, &outbox).ok());
  for (engine::OutboxState st : {engine::OutboxState::kPending, engine::OutboxState::kInFlight,
                                 engine::OutboxState::kDead}) {
    int64_t n = -1;
    ASSERT_TRUE(outbox->Count(st, &n).ok());
    EXPECT_EQ(n, 0) << "state " << static_cast<int>(st);
  }
  std::map<std::string, std::string> case_by_key;  // action key -> record Id
  std::map<std::string, std::string> lead_by_name, task_by_name;
  std::map<std::string, std::string> task_lead;  // task name -> its Lead's name
  std::map<int64_t, std::string> name_of;         // action id -> name
  int64_t after = 0;
  for (;;) {
    std::vector<engine::OutboxItem> items;
    ASSERT_TRUE(outbox->List(engine::OutboxState::kDone, after, 1000, &items).ok());
    if (items.empty()) break;
    for (const engine::OutboxItem& it : items) {
      const std::string name = it.action.fields[0].text;
      name_of[it.entry.id] = name;
      if (it.action.object == "Case") {
        case_by_key[it.action.key] = it.entry.result;
      } else if (it.action.object == "Lead") {
        lead_by_name[name] = it.entry.result;
      } else {
        task_by_name[name] = it.entry.result;
        task_lead[name] = name_of[it.action.fields[1].ref];
      }
      after = it.entry.id;
    }
  }
  EXPECT_EQ(case_by_key.size(), 2400u);
  EXPECT_EQ(lead_by_name.size(), 800u);
  EXPECT_EQ(task_by_name.size(), 800u);

  // What the emulator holds: each exactly once, with the Id the outcome reported.
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  std::map<std::string, int> seen;
  for (const json& c : QueryAll(*client, "SELECT Id, ConnectFlo_Action_Id__c FROM Case WHERE "
                                         "Subject LIKE 'crash-case-%'")) {
    const std::string key = c["ConnectFlo_Action_Id__c"].get<std::string>();
    ++seen[key];
    EXPECT_EQ(c["Id"], case_by_key[key]) << key;
  }
  EXPECT_EQ(seen.size(), case_by_key.size());
  for (const auto& [key, n] : seen) EXPECT_EQ(n, 1) << key;
  std::map<std::string, std::string> lead_name_by_id;
  std::map<std::string, int> leads;
  for (const json& l : QueryAll(*client, "SELECT Id, LastName FROM Lead WHERE Company = "
                                         "'Crash Co'")) {
    const std::string name = l["LastName"].get<std::string>();
    ++leads[name];
    lead_name_by_id[l["Id"].get<std::string>()] = name;
    EXPECT_EQ(l["Id"], lead_by_name[name]) << name;
  }
  EXPECT_EQ(leads.size(), lead_by_name.size());
  for (const auto& [name, n] : leads) EXPECT_EQ(n, 1) << name;
  std::map<std::string, int> tasks;
  for (const json& t : QueryAll(*client, "SELECT Id, Subject, WhoId FROM Task WHERE Subject "
                                         "LIKE 'crash-task-%'")) {
    const std::string name = t["Subject"].get<std::string>();
    ++tasks[name];
    EXPECT_EQ(t["Id"], task_by_name[name]) << name;
    EXPECT_EQ(lead_name_by_id[t["WhoId"].get<std::string>()], task_lead[name]) << name;
  }
  EXPECT_EQ(tasks.size(), task_by_name.size());
  for (const auto& [name, n] : tasks) EXPECT_EQ(n, 1) << name;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordProperty("kills", killed);
  RecordProperty("seconds", std::to_string(seconds));
  // How the kills fell: the runs' own lines (events found accepted at each start).
  std::FILE* log = std::fopen(dir_.File("child.log").c_str(), "r");
  if (log != nullptr) {
    char line[256];
    while (std::fgets(line, sizeof line, log) != nullptr) std::printf("  child %s", line);
    std::fclose(log);
  }
  std::printf("crash test: %d kills, %zu actions, %.1f s\n", killed,
              case_by_key.size() + lead_by_name.size() + task_by_name.size(), seconds);
}

}  // namespace
}  // namespace cf::sf
