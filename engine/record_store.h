// A simple in-memory RecordSource: records per object, found by Id, children by lookup.
// Used by the command-line tool and tests; the record cache (with incremental updates and
// persistence) is its grown-up sibling.
//
// Thread safety: Add and Freeze are not thread-safe; after Freeze, Find/Children/records may
// be called from any number of threads.
#ifndef CF_ENGINE_RECORD_STORE_H_
#define CF_ENGINE_RECORD_STORE_H_

#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/condition.h"

namespace cf::engine {

class RecordStore final : public RecordSource {
 public:
  explicit RecordStore(const Schema& schema)
      : records_(schema.size()), by_id_(schema.size()) {}

  // Adds a record of object `object_index`. A record with the Id of an existing one replaces
  // it. Records without an Id are kept (for scans) but cannot be found by Id.
  void Add(int object_index, RecordPtr record);
  // Builds the child indexes. Call after the last Add and before evaluating.
  void Freeze();

  const Record* Find(int object_index, const SfId& id) const override;
  RecordSpan Children(int child_object_index, int child_field_index,
                      const SfId& parent_id) const override;
  const std::vector<RecordPtr>& records(int object_index) const { return records_[object_index]; }

 private:
  struct IdHash {
    size_t operator()(const SfId& id) const;
  };
  std::vector<std::vector<RecordPtr>> records_;
  std::vector<std::unordered_map<SfId, size_t, IdHash>> by_id_;
  // (child object, child field) -> parent Id -> children.
  std::map<std::pair<int, int>, std::unordered_map<SfId, std::vector<const Record*>, IdHash>>
      children_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_RECORD_STORE_H_
