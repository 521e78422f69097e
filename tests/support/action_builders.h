// Short builders of engine::Action values for the outbox and dispatch tests.
//
//   outbox.Accept({Create("Lead", {Value("LastName", "Ng")}),
//                  Create("Task", {Value("Subject", "Call"), Ref("WhoId", 0)})});
//
// Header-only, no state; thread-compatible.
#ifndef CF_TESTS_SUPPORT_ACTION_BUILDERS_H_
#define CF_TESTS_SUPPORT_ACTION_BUILDERS_H_

#include <string>
#include <utility>
#include <vector>

#include "engine/evaluator.h"

namespace cf::test_support {

// A field set to a literal text.
inline engine::ActionField Value(std::string name, std::string text) {
  engine::ActionField f;
  f.name = std::move(name);
  f.kind = engine::ActionField::Kind::kValue;
  f.text = std::move(text);
  return f;
}

// A field set to the Id of the record that action `action` of the same event creates.
inline engine::ActionField Ref(std::string name, int action) {
  engine::ActionField f;
  f.name = std::move(name);
  f.kind = engine::ActionField::Kind::kActionId;
  f.action = action;
  return f;
}

// A create of `object` (a log_task for Task).
inline engine::Action Create(std::string object, std::vector<engine::ActionField> fields) {
  engine::Action a;
  a.kind = object == "Task" ? engine::ActionKind::kLogTask : engine::ActionKind::kCreate;
  a.object = std::move(object);
  a.fields = std::move(fields);
  return a;
}

// An update of record `id` of `object`.
inline engine::Action Update(std::string object, std::string id,
                             std::vector<engine::ActionField> fields) {
  engine::Action a;
  a.kind = engine::ActionKind::kUpdate;
  a.object = std::move(object);
  a.target_id = std::move(id);
  a.fields = std::move(fields);
  return a;
}

}  // namespace cf::test_support

#endif  // CF_TESTS_SUPPORT_ACTION_BUILDERS_H_
