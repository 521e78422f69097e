// Time zones and the clock the evaluator reads "today" and "now" from.
//
// TimeZone is immutable once loaded and safe to share between threads.
#ifndef CF_ENGINE_TIME_ZONE_H_
#define CF_ENGINE_TIME_ZONE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value.h"

namespace cf::engine {

class TimeZone {
 public:
  // "UTC", "GMT", a fixed offset "+05:30" / "-0800", or an IANA name ("America/New_York")
  // read from the TZif files under `zoneinfo_dir`. On failure returns nullptr and sets *error
  // to a sentence that says what to do (e.g. "unknown time zone 'Mars/Base': use an IANA name
  // such as Europe/Paris, or an offset such as +02:00").
  static std::shared_ptr<const TimeZone> Load(std::string_view name, std::string* error,
                                              const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  static std::shared_ptr<const TimeZone> Utc();

  const std::string& name() const { return name_; }
  // Offset from UTC in seconds at the given instant.
  int32_t OffsetAt(Millis instant) const;
  // Local calendar day of an instant.
  Days LocalDay(Millis instant) const;
  // The instant local midnight starts on `day` (for a DST gap at midnight, the first valid
  // local time of that day).
  Millis StartOfDay(Days day) const;

 private:
  struct Transition {
    int64_t at_utc_seconds;  // transition instant
    int32_t offset_seconds;  // offset in force from this instant on
  };
  TimeZone() = default;
  std::string name_;
  int32_t initial_offset_ = 0;
  std::vector<Transition> transitions_;  // sorted by at_utc_seconds
  // POSIX TZ rule from the TZif v2+ footer, applied after the last transition.
  struct PosixRule;
  std::shared_ptr<const PosixRule> rule_;
  friend class TimeZoneLoader;
};

// Source of the current instant. Tests inject a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;  // thread-safe
};
class SystemClock final : public Clock {
 public:
  Millis Now() const override;
};
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Millis now) : now_(now) {}
  Millis Now() const override { return now_; }

 private:
  Millis now_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_TIME_ZONE_H_
