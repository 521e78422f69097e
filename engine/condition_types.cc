#include <algorithm>
#include <utility>

#include "engine/condition.h"

namespace cf::engine {

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kNumber:
      return "number";
    case ValueType::kString:
      return "text";
    case ValueType::kPicklist:
      return "picklist";
    case ValueType::kMultiPicklist:
      return "multi-select picklist";
    case ValueType::kId:
      return "Id";
    case ValueType::kDate:
      return "date";
    case ValueType::kDateTime:
      return "date/time";
    case ValueType::kTime:
      return "time";
  }
  return "?";
}

Environment::Environment(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {
  layouts_.reserve(schema_->size());
  for (int i = 0; i < schema_->size(); ++i) layouts_.push_back(RecordLayout::BuildAll(schema_, i));
}

int Environment::AddRoot(std::string_view name, std::string_view object_name) {
  int object_index = schema_->IndexOf(object_name);
  if (object_index < 0 || FindRoot(name) >= 0) return -1;
  roots_.push_back(Root{std::string(name), object_index});
  return static_cast<int>(roots_.size()) - 1;
}

int Environment::AddAllObjectsAsRoots() {
  int added = 0;
  for (const Object& o : schema_->objects()) {
    if (AddRoot(o.name, o.name) >= 0) ++added;
  }
  return added;
}

void Environment::SetLayout(int object_index, std::shared_ptr<const RecordLayout> layout) {
  layouts_[object_index] = std::move(layout);
}

int Environment::FindRoot(std::string_view name) const {
  for (size_t i = 0; i < roots_.size(); ++i) {
    if (EqualsIgnoreCase(roots_[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

EvalScratch::EvalScratch(size_t initial_bytes) {
  blocks_.push_back(std::make_unique<char[]>(initial_bytes));
  sizes_.push_back(initial_bytes);
}

char* EvalScratch::Allocate(size_t n) {
  while (block_ < blocks_.size()) {
    if (sizes_[block_] - used_ >= n) {
      char* p = blocks_[block_].get() + used_;
      used_ += n;
      return p;
    }
    ++block_;
    used_ = 0;
  }
  size_t size = std::max(n, sizes_.back() * 2);
  blocks_.push_back(std::make_unique<char[]>(size));
  sizes_.push_back(size);
  used_ = n;
  return blocks_.back().get();
}

void SetTimeFrame(EvalContext* ctx, const Clock& clock, const TimeZone& zone) {
  ctx->now = clock.Now();
  ctx->today = zone.LocalDay(ctx->now);
  ctx->time_zone = &zone;
}

}  // namespace cf::engine
