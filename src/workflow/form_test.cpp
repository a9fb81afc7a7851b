// The form check is exercised field by field in workflow_service_test.cpp (through the
// service, on both databases); here the pure parts that need no database.
#include "workflow/form.h"

#include <gtest/gtest.h>

#include "support/test_fixtures.h"

namespace mamori::workflow {
namespace {

const policy::Catalog& Hirakawa() {
    static const auto catalog = mamori::testing::ParsedCatalog();
    return *catalog;
}

TEST(FormTest, EveryShippedTypeAcceptsAMinimalForm) {
    ASSERT_GE(Hirakawa().request_types().size(), 9u);
    for (const auto& type : Hirakawa().request_types()) {
        boost::json::object form;
        for (const auto& f : type.fields) {
            if (!f.required) continue;
            using policy::FieldType;
            switch (f.type) {
                case FieldType::kText:
                case FieldType::kLongText:
                    form[f.key] = "記入例";
                    break;
                case FieldType::kDate:
                    form[f.key] = "2026-12-01";
                    break;
                case FieldType::kDateRange:
                    form[f.key] = {{"from", "2026-12-01"}, {"to", "2026-12-01"}};
                    break;
                case FieldType::kNumber:
                    form[f.key] = f.min.value_or(1);
                    break;
                case FieldType::kChoice:
                    form[f.key] = f.options.at(0).value;
                    break;
                case FieldType::kControl:
                    form[f.key] = f.multiple ? boost::json::value(boost::json::array{"9-4(1)"})
                                             : boost::json::value("9-4(1)");
                    break;
                default:
                    form[f.key] = f.multiple ? boost::json::value(boost::json::array{"id-1"})
                                             : boost::json::value("id-1");
            }
        }
        auto checked = CheckForm(type, Hirakawa(), form);
        EXPECT_TRUE(checked) << type.key << ": " << checked.error().message;
    }
}

TEST(FormTest, KeepsOnlyTheTypesFieldsAndNamesTheField) {
    const policy::RequestType* type = Hirakawa().FindRequestType("exception");
    ASSERT_NE(type, nullptr);
    EXPECT_TRUE(type->exception);
    auto r = CheckForm(*type, Hirakawa(), {{"surprise", 1}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "form.surprise");
}

}  // namespace
}  // namespace mamori::workflow
