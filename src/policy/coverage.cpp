#include "policy/coverage.h"

#include <algorithm>
#include <boost/json.hpp>

namespace mamori::policy {
namespace {

namespace json = boost::json;

constexpr std::string_view kAvailable = "available";

// The chapter a node belongs to: follow parents up to the node without one.
const Control& ChapterOf(const Catalog& c, const Control& n) {
    const Control* node = &n;
    while (!node->parent.empty()) {
        const Control* parent = c.Find(node->parent);
        if (parent == nullptr) break;
        node = parent;
    }
    return *node;
}

CoverageItem ItemOf(const Catalog& c, const Control& n) {
    CoverageItem item{n.ref, n.title, ChapterOf(c, n).ref, n.manual(), Support::kManual, {}};
    if (item.manual) return item;
    for (const auto& key : n.implemented_by) {
        const Capability* cap = c.FindCapability(key);
        item.implemented_by.push_back(
            cap != nullptr ? CapabilityUse{cap->key, cap->name, cap->area, cap->status}
                           : CapabilityUse{key, key, "", "unknown"});
    }
    const bool any_available =
        std::any_of(item.implemented_by.begin(), item.implemented_by.end(),
                    [](const CapabilityUse& u) { return u.status == kAvailable; });
    item.support = any_available ? Support::kAvailable : Support::kPlanned;
    return item;
}

void Count(CoverageTotals& t, Support s) {
    ++t.requirements;
    switch (s) {
        case Support::kAvailable:
            ++t.available;
            break;
        case Support::kPlanned:
            ++t.planned;
            break;
        case Support::kManual:
            ++t.manual;
            break;
    }
}

json::object TotalsJson(const CoverageTotals& t) {
    return {{"requirements", t.requirements},
            {"available", t.available},
            {"planned", t.planned},
            {"manual", t.manual}};
}

}  // namespace

std::string_view SupportName(Support s) {
    switch (s) {
        case Support::kAvailable:
            return kAvailable;
        case Support::kPlanned:
            return "planned";
        case Support::kManual:
            return "manual";
    }
    return "manual";
}

Coverage Cover(const Catalog& c) {
    Coverage out;
    out.version = c.policy().version;
    for (const auto& n : c.controls()) {
        if (n.parent.empty()) out.chapters.push_back({n.ref, n.title, {}});
        if (!n.leaf()) continue;
        CoverageItem item = ItemOf(c, n);
        Count(out.totals, item.support);
        auto chapter =
            std::find_if(out.chapters.begin(), out.chapters.end(),
                         [&](const ChapterCoverage& ch) { return ch.ref == item.chapter; });
        if (chapter != out.chapters.end()) Count(chapter->totals, item.support);
        out.items.push_back(std::move(item));
    }
    return out;
}

json::value ToJson(const Coverage& c) {
    json::array chapters;
    for (const auto& ch : c.chapters) {
        chapters.push_back(
            json::object{{"ref", ch.ref}, {"title", ch.title}, {"totals", TotalsJson(ch.totals)}});
    }
    json::array items;
    for (const auto& item : c.items) {
        json::array uses;
        for (const auto& u : item.implemented_by) {
            uses.push_back(json::object{
                {"key", u.key}, {"name", u.name}, {"area", u.area}, {"status", u.status}});
        }
        items.push_back(json::object{{"ref", item.ref},
                                     {"title", item.title},
                                     {"chapter", item.chapter},
                                     {"manual", item.manual},
                                     {"support", SupportName(item.support)},
                                     {"implemented_by", std::move(uses)}});
    }
    return json::object{{"version", c.version},
                        {"totals", TotalsJson(c.totals)},
                        {"chapters", std::move(chapters)},
                        {"items", std::move(items)}};
}

}  // namespace mamori::policy
