#include "core/clock.h"

#include <gtest/gtest.h>

namespace mamori {
namespace {

TEST(ClockTest, FormatsUtc) {
    FixedClock c(std::chrono::system_clock::from_time_t(1795744800));  // 2026-11-27T02:00:00Z
    EXPECT_EQ(FormatRfc3339(c.Now()), "2026-11-27T02:00:00Z");
    c.Advance(std::chrono::seconds(61));
    EXPECT_EQ(FormatRfc3339(c.Now()), "2026-11-27T02:01:01Z");
}

}  // namespace
}  // namespace mamori
