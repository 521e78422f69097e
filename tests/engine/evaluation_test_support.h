// Shared by the event, binding and evaluator tests: the example org's schema as a rule
// Environment, a record cache on a real SQLite file, records built by hand or loaded from
// examples/org/records.json, and events read from JSON.
#ifndef CF_TESTS_ENGINE_EVALUATION_TEST_SUPPORT_H_
#define CF_TESTS_ENGINE_EVALUATION_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/record_json.h"
#include "engine/event.h"
#include "engine/host_event.h"
#include "engine/rule_set.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "tests/engine/state_test_support.h"

namespace cf::engine::testing {

inline std::shared_ptr<const Environment> ExampleRuleEnv() {
  static const std::shared_ptr<const Environment> env = [] {
    std::string error;
    auto schema = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
    EXPECT_NE(schema, nullptr) << error;
    return MakeRuleEnvironment(schema);
  }();
  return env;
}

// A PersistentRecordSink on a SQLite file in its own temporary directory, keeping records in
// the Environment's layouts.
class CacheOnDisk {
 public:
  explicit CacheOnDisk(std::shared_ptr<const Environment> env = ExampleRuleEnv()) : env_(std::move(env)) {
    std::unique_ptr<SqliteStateStore> store;
    SqliteStateStore::Options options;
    options.synchronous_full = false;
    Status s = SqliteStateStore::Open(dir_.File("state.db"), options, &store);
    EXPECT_TRUE(s.ok()) << s.message();
    std::vector<std::shared_ptr<const RecordLayout>> layouts;
    for (int i = 0; i < env_->schema().size(); ++i) layouts.push_back(env_->layout(i));
    sink_ = std::make_shared<PersistentRecordSink>(std::move(store), env_->schema_ptr(), layouts);
    s = sink_->Load();
    EXPECT_TRUE(s.ok()) << s.message();
  }

  PersistentRecordSink& sink() { return *sink_; }
  const Environment& env() const { return *env_; }

  // Applies examples/org/records.json.
  void LoadExampleRecords() {
    sf::RecordReader reader(env_->schema_ptr());
    sf::RecordsByObject records;
    std::string error;
    ASSERT_TRUE(sf::LoadRecordsFile(std::string(CF_SOURCE_DIR) + "/examples/org/records.json", reader,
                                    &records, &error))
        << error;
    for (auto& [object, list] : records) {
      Status s = sink_->Apply({env_->schema().IndexOf(object), list, {}, std::nullopt});
      ASSERT_TRUE(s.ok()) << s.message();
    }
  }

  // One record of `object` from field texts ({"Id", "003..."}, {"Email", "a@b"}).
  RecordPtr Make(const std::string& object, const std::map<std::string, std::string>& fields) {
    int oi = env_->schema().IndexOf(object);
    RecordBuilder b(env_->layout(oi));
    for (const auto& [name, text] : fields) {
      const Slot* slot = env_->layout(oi)->SlotForField(name);
      EXPECT_NE(slot, nullptr) << object << "." << name;
      if (slot != nullptr) {
        EXPECT_TRUE(b.SetFromText(*slot, text)) << object << "." << name << " = " << text;
      }
    }
    return b.Finish();
  }

  void Put(const std::string& object, std::vector<std::map<std::string, std::string>> records) {
    SyncBatch batch;
    batch.object_index = env_->schema().IndexOf(object);
    for (const auto& fields : records) batch.upserts.push_back(Make(object, fields));
    Status s = sink_->Apply(batch);
    ASSERT_TRUE(s.ok()) << s.message();
  }

 private:
  TempDir dir_;
  std::shared_ptr<const Environment> env_;
  std::shared_ptr<PersistentRecordSink> sink_;
};

// An event from JSON; fails the test on a read error.
inline Event ReadEvent(const std::string& json, std::shared_ptr<const Environment> env = ExampleRuleEnv()) {
  EventBuilder builder(std::move(env));
  Event event;
  HostEventError error;
  EXPECT_TRUE(ReadHostEvent(json, builder, &event, &error)) << error.ToString() << "\n" << json;
  return event;
}

}  // namespace cf::engine::testing

#endif  // CF_TESTS_ENGINE_EVALUATION_TEST_SUPPORT_H_
