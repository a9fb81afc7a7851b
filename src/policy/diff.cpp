#include "policy/diff.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

namespace mamori::policy {
namespace {

namespace json = boost::json;

// Equality for the catalog's plain structs, which declare no operator==.
auto Tie(const Revision& r) { return std::tie(r.date, r.label, r.kind); }
auto Tie(const StructureRow& r) { return std::tie(r.document, r.part_of, r.description); }
auto Tie(const HandlingRule& r) { return std::tie(r.key, r.fields, r.ref, r.note); }
auto Tie(const ZoneMethod& m) { return std::tie(m.name, m.description); }
auto Tie(const Zone& z) { return std::tie(z.name, z.ref, z.description); }
auto Tie(const ZoneFlow& f) { return std::tie(f.rule, f.methods, f.ref, f.note); }
// An axis itself is its name; its levels are compared one by one (ClassificationChanges).
auto Tie(const Axis& x) { return std::tie(x.name); }
bool Same(const Level& a, const Level& b);

template <typename T>
bool Same(const T& a, const T& b) {
    if constexpr (requires { Tie(a); }) {
        return Tie(a) == Tie(b);
    } else {
        return a == b;
    }
}

template <typename T>
bool Same(const std::vector<T>& a, const std::vector<T>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const T& x, const T& y) { return Same(x, y); });
}

bool Same(const Level& a, const Level& b) {
    return std::tie(a.name, a.rank, a.definition) == std::tie(b.name, b.rank, b.definition) &&
           Same(a.handling, b.handling);
}

// The names of the fields (name, pointer to member) whose values differ, in the order given.
template <typename T, typename... M>
std::vector<std::string> Differing(const T& a, const T& b,
                                   std::pair<const char*, M T::*>... fields) {
    std::vector<std::string> out;
    ((Same(a.*fields.second, b.*fields.second) ? void() : out.push_back(fields.first)), ...);
    return out;
}

// Appends prefix + key for every element of `newer` that is new or not Same as the element
// of `older` with the same key, then for every element of `older` that is gone.
template <typename T, typename Key>
void CompareKeyed(const std::vector<T>& older, const std::vector<T>& newer, Key key,
                  const std::string& prefix, std::vector<std::string>& out) {
    std::map<std::string, const T*> before;
    for (const auto& x : older) before.emplace(key(x), &x);
    std::set<std::string> seen;
    for (const auto& x : newer) {
        const std::string k = key(x);
        seen.insert(k);
        auto it = before.find(k);
        if (it == before.end() || !Same(*it->second, x)) out.push_back(prefix + k);
    }
    for (const auto& x : older) {
        if (!seen.contains(key(x))) out.push_back(prefix + key(x));
    }
}

std::vector<std::string> PolicyFields(const PolicyInfo& a, const PolicyInfo& b) {
    using P = PolicyInfo;
    return Differing(a, b, std::pair{"title", &P::title}, std::pair{"city", &P::city},
                     std::pair{"effective_date", &P::effective_date},
                     std::pair{"preface", &P::preface}, std::pair{"structure", &P::structure},
                     std::pair{"revisions", &P::revisions},
                     std::pair{"answer_options", &P::answer_options});
}

std::vector<std::string> NodeFields(const Control& a, const Control& b) {
    using C = Control;
    return Differing(a, b, std::pair{"title", &C::title}, std::pair{"requirement", &C::requirement},
                     std::pair{"roles", &C::roles}, std::pair{"evidence", &C::evidence},
                     std::pair{"questions", &C::questions},
                     std::pair{"implemented_by", &C::implemented_by},
                     std::pair{"related", &C::related}, std::pair{"items", &C::children});
}

// Every 基本方針 item, sub-items after their parent, by ref.
void Flatten(const std::vector<BasicItem>& items, std::vector<const BasicItem*>& out) {
    for (const auto& item : items) {
        out.push_back(&item);
        Flatten(item.items, out);
    }
}

std::map<std::string, const BasicItem*> ByRef(const std::vector<const BasicItem*>& items) {
    std::map<std::string, const BasicItem*> out;
    for (const BasicItem* item : items) out.emplace(item->ref, item);
    return out;
}

void DiffBasic(const Catalog& older, const Catalog& newer, VersionDiff& d) {
    std::vector<const BasicItem*> before;
    std::vector<const BasicItem*> after;
    Flatten(older.basic(), before);
    Flatten(newer.basic(), after);
    const auto before_by_ref = ByRef(before);
    const auto after_by_ref = ByRef(after);
    for (const BasicItem* item : after) {
        auto it = before_by_ref.find(item->ref);
        if (it == before_by_ref.end()) {
            d.basic_added.push_back({item->ref, item->title, false});
            continue;
        }
        auto fields = Differing(*it->second, *item, std::pair{"title", &BasicItem::title},
                                std::pair{"text", &BasicItem::text},
                                std::pair{"closing", &BasicItem::closing});
        if (!fields.empty()) d.basic_changed.push_back({item->ref, item->title, std::move(fields)});
    }
    for (const BasicItem* item : before) {
        if (!after_by_ref.contains(item->ref))
            d.basic_removed.push_back({item->ref, item->title, false});
    }
}

std::vector<std::string> ClassificationChanges(const ClassificationScheme& a,
                                               const ClassificationScheme& b) {
    std::vector<std::string> out;
    if (std::tie(a.key, a.name, a.source, a.ref) != std::tie(b.key, b.name, b.source, b.ref)) {
        out.push_back("scheme");
    }
    static const std::vector<Level> kNoLevels;
    CompareKeyed(
        a.axes, b.axes, [](const Axis& x) { return x.key; }, "", out);
    // Levels of every axis on either side; an axis on one side only has all its levels
    // added or removed.
    auto levels_of = [](const ClassificationScheme& s,
                        const std::string& key) -> const std::vector<Level>& {
        const Axis* axis = s.FindAxis(key);
        return axis != nullptr ? axis->levels : kNoLevels;
    };
    std::vector<std::string> axes;
    for (const auto& x : b.axes) axes.push_back(x.key);
    for (const auto& x : a.axes) {
        if (b.FindAxis(x.key) == nullptr) axes.push_back(x.key);
    }
    for (const auto& key : axes) {
        CompareKeyed(
            levels_of(a, key), levels_of(b, key), [](const Level& l) { return l.key; }, key + "/",
            out);
    }
    return out;
}

std::vector<std::string> ZoneChanges(const Zones& a, const Zones& b) {
    std::vector<std::string> out;
    CompareKeyed(
        a.zones, b.zones, [](const Zone& z) { return z.key; }, "zone:", out);
    CompareKeyed(
        a.flows, b.flows, [](const ZoneFlow& f) { return f.from + ">" + f.to; }, "flow:", out);
    CompareKeyed(
        a.methods, b.methods, [](const ZoneMethod& m) { return m.key; }, "method:", out);
    return out;
}

// Every node carries `requirement` (always false for 第1章 items), as the API documents.
json::array NodesJson(const std::vector<DiffNode>& nodes) {
    json::array out;
    for (const auto& n : nodes)
        out.push_back(
            json::object{{"ref", n.ref}, {"title", n.title}, {"requirement", n.requirement}});
    return out;
}

json::array Strings(const std::vector<std::string>& values) {
    json::array out;
    for (const auto& v : values) out.push_back(json::string(v));
    return out;
}

json::array ChangesJson(const std::vector<DiffChange>& changes) {
    json::array out;
    for (const auto& c : changes) {
        out.push_back(
            json::object{{"ref", c.ref}, {"title", c.title}, {"fields", Strings(c.fields)}});
    }
    return out;
}

}  // namespace

VersionDiff Diff(const Catalog& older, const Catalog& newer) {
    VersionDiff d;
    d.older_version = older.policy().version;
    d.newer_version = newer.policy().version;
    d.policy_fields = PolicyFields(older.policy(), newer.policy());

    for (const auto& n : newer.controls()) {
        const Control* before = older.Find(n.ref);
        if (before == nullptr) {
            d.added.push_back({n.ref, n.title, n.leaf()});
            continue;
        }
        auto fields = NodeFields(*before, n);
        if (!fields.empty()) d.changed.push_back({n.ref, n.title, std::move(fields)});
    }
    for (const auto& n : older.controls()) {
        if (newer.Find(n.ref) == nullptr) d.removed.push_back({n.ref, n.title, n.leaf()});
    }

    DiffBasic(older, newer, d);

    d.classification_changes =
        ClassificationChanges(older.classification(), newer.classification());
    d.classification_changed = !d.classification_changes.empty();
    d.zone_changes = ZoneChanges(older.zones(), newer.zones());
    d.zones_changed = !d.zone_changes.empty();
    return d;
}

json::value ToJson(const VersionDiff& d) {
    json::object out{{"from", d.older_version}, {"to", d.newer_version}};
    out["policy"] = json::object{{"fields", Strings(d.policy_fields)}};
    out["requirements"] = json::object{{"added", NodesJson(d.added)},
                                       {"removed", NodesJson(d.removed)},
                                       {"changed", ChangesJson(d.changed)}};
    out["basic_policy"] = json::object{{"added", NodesJson(d.basic_added)},
                                       {"removed", NodesJson(d.basic_removed)},
                                       {"changed", ChangesJson(d.basic_changed)}};
    out["classification"] = json::object{{"changed", d.classification_changed},
                                         {"changes", Strings(d.classification_changes)}};
    out["zones"] = json::object{{"changed", d.zones_changed}, {"changes", Strings(d.zone_changes)}};
    return out;
}

}  // namespace mamori::policy
