#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mamori {

/// The source of the current time. Services take a Clock so that tests can fix time.
/// Implementations must be thread-safe.
class Clock {
  public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

/// The real wall clock.
class SystemClock final : public Clock {
  public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that stands still until moved; for tests.
class FixedClock final : public Clock {
  public:
    explicit FixedClock(TimePoint t) : now_(t) {}
    TimePoint Now() const override { return now_; }
    void Advance(std::chrono::seconds d) { now_ += d; }
    void Set(TimePoint t) { now_ = t; }

  private:
    TimePoint now_;
};

/// RFC 3339 in UTC with second precision, e.g. "2026-11-27T03:04:05Z".
std::string FormatRfc3339(Clock::TimePoint t);

/// An RFC 3339 time with its offset ("2026-11-27T10:15+09:00", seconds and fraction
/// optional; "Z" for UTC) of the years 1900 to 2200, or nullopt when it is not one.
std::optional<Clock::TimePoint> ParseTimestamp(std::string_view text);

/// Calendar dates "YYYY-MM-DD" (well-formed; check with http::IsValidDate first):
/// the date `days` later (earlier when negative), and the days from `a` to `b`.
std::string AddDays(std::string_view date, int days);
int DaysBetween(std::string_view a, std::string_view b);

}  // namespace mamori
