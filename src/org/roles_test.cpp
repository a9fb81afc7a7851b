#include "org/roles.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace mamori::org {
namespace {

TEST(RoleCatalogTest, BuiltinHasEveryRoleOfThePolicy) {
    const auto& c = RoleCatalog::Builtin();
    for (const char* key : {"ciso", "general_manager", "department_officer", "section_manager",
                            "system_manager", "system_staff", "committee_member", "csirt_member",
                            "auditor", "staff", "platform_admin"}) {
        const Role* r = c.Find(key);
        ASSERT_NE(r, nullptr) << key;
        EXPECT_FALSE(r->name.empty());
        EXPECT_FALSE(r->description.empty());
    }
    EXPECT_EQ(c.Find("section_manager")->name, "情報セキュリティ管理者");
    EXPECT_EQ(c.Find("nobody"), nullptr);
}

TEST(RoleCatalogTest, PermissionMatrix) {
    const auto& c = RoleCatalog::Builtin();
    auto has = [&](const char* role, const char* perm) {
        const auto& ps = c.Find(role)->permissions;
        return std::find(ps.begin(), ps.end(), perm) != ps.end();
    };
    EXPECT_TRUE(has("auditor", "audit.read"));
    EXPECT_TRUE(has("general_manager", "audit.read"));
    EXPECT_FALSE(has("staff", "audit.read"));
    EXPECT_FALSE(has("section_manager", "audit.read"));
    EXPECT_TRUE(has("platform_admin", "org.manage"));
    EXPECT_FALSE(has("ciso", "org.manage"));  // approvers do not run the installation
    // Staff read their own section's information assets, and only that.
    EXPECT_EQ(c.Find("staff")->permissions, std::vector<std::string>{"assets.read"});
    EXPECT_TRUE(has("section_manager", "assets.manage"));
    EXPECT_FALSE(has("general_manager", "assets.manage"));
    EXPECT_FALSE(has("platform_admin", "assets.read"));  // the installation, not the register
    EXPECT_TRUE(c.Find("system_manager")->for_system);
    EXPECT_FALSE(c.Find("section_manager")->for_system);
}

TEST(RoleCatalogTest, ReportsEveryProblem) {
    auto c = RoleCatalog::Parse(R"(
roles:
  - key: a
    name: A
    scope: galaxy
  - key: a
    name: again
incompatible_roles:
  - name: x
    roles: [a, ghost]
approval_escalation: [phantom]
)");
    ASSERT_FALSE(c);
    const std::string& m = c.error().message;
    EXPECT_NE(m.find("unknown scope galaxy"), std::string::npos) << m;
    EXPECT_NE(m.find("duplicate role a"), std::string::npos) << m;
    EXPECT_NE(m.find("unknown role ghost"), std::string::npos) << m;
    EXPECT_NE(m.find("unknown role phantom"), std::string::npos) << m;
}

}  // namespace
}  // namespace mamori::org
