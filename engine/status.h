// Status: the outcome of an operation on state outside the process (the state store, the
// record sink). OK, or a code plus a message for a person that says what happened and what to
// do ("state file /x/y.db is not a database (file is not a database): move it away or point
// state_path elsewhere").
//
// Cheap to return when OK (no allocation). Copyable, thread-compatible. Nothing in the
// interfaces that return Status throws.
#ifndef CF_ENGINE_STATUS_H_
#define CF_ENGINE_STATUS_H_

#include <cstdint>
#include <string>
#include <utility>

namespace cf::engine {

class Status {
 public:
  enum class Code : uint8_t {
    kOk,
    kInvalidArgument,  // the caller's input is wrong (a record without an Id, bad bytes)
    kCorruption,       // stored data is damaged or is not ours
    kIoError,          // the file system or the database refused (permissions, disk full)
    kNotSupported,     // stored data from a newer version of the plugin
    kBusy,             // another process held a lock for longer than the busy timeout
  };

  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status NotSupported(std::string m) { return Status(Code::kNotSupported, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Empty when OK.
  const std::string& message() const { return message_; }
  // "OK" or the message.
  std::string ToString() const { return ok() ? std::string("OK") : message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_STATUS_H_
