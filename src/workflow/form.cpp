#include "workflow/form.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/clock.h"
#include "core/text.h"
#include "http/json_reader.h"

namespace mamori::workflow {

namespace {

using policy::FieldType;
using policy::FormField;

Error Bad(const FormField& f, std::string message, std::string code = "invalid_field") {
    return Error::Invalid(std::move(code), std::move(message), "form." + f.key);
}

Result<void> CheckText(const FormField& f, const boost::json::value& v) {
    if (!v.is_string()) return Fail(Bad(f, fmt::format("{}は文字で入力してください", f.label)));
    const std::string_view s = v.as_string();
    if (!core::ValidUtf8(s))
        return Fail(Bad(f, fmt::format("{}に UTF-8 でない文字が含まれています", f.label)));
    for (unsigned char c : s) {
        const bool line_break = c == '\n' || c == '\r' || c == '\t';
        if (c < 0x20 && !(f.type == FieldType::kLongText && line_break))
            return Fail(Bad(f, fmt::format("{}に制御文字や改行は使えません", f.label)));
    }
    if (http::CountChars(s) > f.max_length)
        return Fail(Bad(f, fmt::format("{}は {} 文字以内にしてください", f.label, f.max_length),
                        "too_long"));
    return {};
}

Result<void> CheckDate(const FormField& f, const boost::json::value& v, std::string_view what) {
    if (!v.is_string() || !http::IsValidDate(v.as_string()))
        return Fail(
            Bad(f, fmt::format("{}{}は YYYY-MM-DD 形式の正しい日付にしてください", f.label, what)));
    return {};
}

bool Empty(const boost::json::value& v) {
    return v.is_null() || (v.is_string() && v.as_string().empty()) ||
           (v.is_array() && v.as_array().empty());
}

}  // namespace

Result<CheckedForm> CheckForm(const policy::RequestType& type, const policy::Catalog& catalog,
                              const boost::json::object& form) {
    for (const auto& kv : form)
        if (!type.FindField(kv.key()))
            return Fail(Error::Invalid(
                "unknown_field",
                fmt::format("「{}」の申請に {} という項目はありません", type.name, kv.key()),
                "form." + std::string(kv.key())));
    CheckedForm out;
    for (const auto& f : type.fields) {
        const auto* found = form.if_contains(f.key);
        if (!found || Empty(*found)) {
            if (f.required)
                return Fail(Bad(f, fmt::format("{}を入力してください", f.label), "missing_field"));
            continue;
        }
        const boost::json::value& v = *found;
        switch (f.type) {
            case FieldType::kText:
            case FieldType::kLongText:
                if (auto r = CheckText(f, v); !r) return Fail(r.error());
                break;
            case FieldType::kDate:
                if (auto r = CheckDate(f, v, ""); !r) return Fail(r.error());
                break;
            case FieldType::kDateRange: {
                const auto* range = v.if_object();
                if (!range || !range->contains("from") || !range->contains("to") ||
                    range->size() != 2)
                    return Fail(
                        Bad(f, fmt::format("{}は開始日 (from) と終了日 (to) で指定してください",
                                           f.label)));
                if (auto r = CheckDate(f, range->at("from"), "の開始日"); !r)
                    return Fail(r.error());
                if (auto r = CheckDate(f, range->at("to"), "の終了日"); !r) return Fail(r.error());
                const std::string_view from = range->at("from").as_string();
                const std::string_view to = range->at("to").as_string();
                if (to < from)
                    return Fail(
                        Bad(f, fmt::format("{}の終了日は開始日以降にしてください", f.label)));
                if (type.validity && type.validity->field == f.key) {
                    if (type.validity->max_days > 0 &&
                        DaysBetween(from, to) + 1 > type.validity->max_days)
                        return Fail(Bad(f, fmt::format("{}は {} 日以内にしてください", f.label,
                                                       type.validity->max_days)));
                    out.valid_from = std::string(from);
                    out.valid_until = std::string(to);
                }
                break;
            }
            case FieldType::kNumber: {
                if (!v.is_int64() && !v.is_uint64())
                    return Fail(Bad(f, fmt::format("{}は整数で入力してください", f.label)));
                const long long n = v.is_int64() ? v.as_int64() : -1;
                if (v.is_uint64() || (f.min && n < *f.min) || (f.max && n > *f.max)) {
                    std::string range = f.min && f.max
                                            ? fmt::format("{} 以上 {} 以下", *f.min, *f.max)
                                        : f.min ? fmt::format("{} 以上", *f.min)
                                                : fmt::format("{} 以下", f.max.value_or(0));
                    return Fail(Bad(f, fmt::format("{}は {} にしてください", f.label, range)));
                }
                break;
            }
            case FieldType::kChoice: {
                const bool known = v.is_string() && std::any_of(f.options.begin(), f.options.end(),
                                                                [&](const auto& o) {
                                                                    return o.value == v.as_string();
                                                                });
                if (!known) {
                    std::string labels;
                    for (const auto& o : f.options)
                        labels += (labels.empty() ? "" : "、") + o.label;
                    return Fail(
                        Bad(f, fmt::format("{}は次から選んでください: {}", f.label, labels)));
                }
                break;
            }
            case FieldType::kBoolean:
                if (!v.is_bool())
                    return Fail(
                        Bad(f, fmt::format("{}は true か false で指定してください", f.label)));
                break;
            case FieldType::kFile:  // the id of an upload (POST /api/v1/attachments)
            case FieldType::kAsset:
            case FieldType::kSystem:
            case FieldType::kUnit:
            case FieldType::kPerson:
            case FieldType::kControl: {
                std::vector<const boost::json::value*> items;
                if (f.multiple) {
                    if (!v.is_array())
                        return Fail(
                            Bad(f, fmt::format("{}は一覧 (配列) で指定してください", f.label)));
                    if (v.as_array().size() > kMaxListItems)
                        return Fail(Bad(f, fmt::format("{}は {} 件までにしてください", f.label,
                                                       kMaxListItems)));
                    for (const auto& e : v.as_array()) items.push_back(&e);
                } else {
                    items.push_back(&v);
                }
                for (const auto* e : items) {
                    if (!e->is_string() || e->as_string().empty() || e->as_string().size() > 64)
                        return Fail(Bad(f, fmt::format("{}の指定が正しくありません", f.label)));
                    const std::string id(e->as_string());
                    if (f.type == FieldType::kControl) {
                        if (!catalog.Find(id))
                            return Fail(
                                Bad(f, fmt::format("{}: 対策基準に {} はありません", f.label, id),
                                    "unknown_reference"));
                    } else {
                        out.references.push_back({f.key, f.type, id});
                    }
                }
                break;
            }
        }
        out.values[f.key] = v;
    }
    return out;
}

}  // namespace mamori::workflow
