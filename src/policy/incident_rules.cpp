#include "policy/incident_rules.h"

#include <regex>
#include <set>

#include "policy/file_reader.h"

namespace mamori::policy {

const IncidentSeverity* IncidentRules::FindSeverity(const std::string& key) const {
    for (const auto& s : severities)
        if (s.key == key) return &s;
    return nullptr;
}

int IncidentRules::SeverityRank(const std::string& key) const {
    for (std::size_t i = 0; i < severities.size(); ++i)
        if (severities[i].key == key) return static_cast<int>(i);
    return -1;
}

namespace {

const std::regex kKey(R"([a-z][a-z0-9_]{0,39})");

// A list of {key, name, …} maps, keys well-formed and unique.
template <typename T, typename F>
std::vector<T> KeyedList(FileReader& r, FileReader::Map& top, const std::string& what,
                         std::size_t min, std::size_t max, F&& read) {
    std::vector<T> out;
    auto list = top.Node(what);
    if (!list || !list.IsSequence() || list.size() < min || list.size() > max) {
        r.Report(list ? list : YAML::Node(),
                 fmt::format("{}: give {} to {} entries", what, min, max));
        return out;
    }
    std::set<std::string> keys;
    for (const auto& n : list) {
        FileReader::Map m(r, n, what + " entry");
        T item = read(m);
        if (!std::regex_match(item.key, kKey))
            r.Report(n, fmt::format("{}: key {} is not [a-z][a-z0-9_]*", what, item.key));
        else if (!keys.insert(item.key).second)
            r.Report(n, fmt::format("{}: duplicate key {}", what, item.key));
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace

IncidentRules ParseIncidentRules(FileReader& r, const YAML::Node& root) {
    IncidentRules rules;
    rules.defined = true;
    rules.file = r.file();
    FileReader::Map top(r, root, r.file());
    rules.categories = KeyedList<IncidentCategory>(r, top, "categories", 2, 30, [](auto& m) {
        return IncidentCategory{m.Text("key"), m.Text("name")};
    });
    rules.severities = KeyedList<IncidentSeverity>(r, top, "severities", 2, 10, [](auto& m) {
        return IncidentSeverity{m.Text("key"), m.Text("name"), m.Text("description")};
    });
    rules.escalate_from = top.Text("escalate_from");
    if (!rules.escalate_from.empty() && !rules.severities.empty() &&
        !rules.FindSeverity(rules.escalate_from))
        r.Report(top.Node("escalate_from"),
                 "escalate_from: " + rules.escalate_from + " is not one of the severities");
    rules.deadlines = KeyedList<IncidentDeadline>(r, top, "deadlines", 0, 20, [&](auto& m) {
        IncidentDeadline d;
        d.key = m.Text("key");
        d.name = m.Text("name");
        d.to = m.Text("to");
        d.applies = m.Text("applies");
        if (!d.applies.empty() && d.applies != "personal_information" && d.applies != "always")
            r.Report(m.Node("applies"), "deadline: applies must be personal_information or always");
        auto days = [&](const char* key, bool required) {
            auto n = m.Node(key);
            if (!n || n.IsNull()) {
                if (required) r.Report(n, fmt::format("deadline: `{}` is missing", key));
                return 0;
            }
            auto v = r.Integer(n, std::string("deadline: ") + key);
            if (v && (*v < 1 || *v > 365)) {
                r.Report(n, fmt::format("deadline: {} must be 1 to 365", key));
                return 0;
            }
            return static_cast<int>(v.value_or(0));
        };
        d.days = days("days", true);
        d.days_if_malicious = days("days_if_malicious", false);
        d.warn_days = days("warn_days", false);
        if (d.days_if_malicious && d.days_if_malicious < d.days)
            r.Report(m.Node("days_if_malicious"),
                     "deadline: days_if_malicious must not be shorter than days");
        d.basis = m.Text("basis");
        return d;
    });
    rules.outside_bodies = top.List("outside_bodies");
    if (auto plan = top.Node("response_plan"); plan && !plan.IsNull()) {
        FileReader::Map m(r, plan, "response_plan");
        rules.response_plan.name = m.Text("name");
        auto list = [&](const char* key, auto&& read) {
            auto n = m.Node(key);
            if (!n || !n.IsSequence() || n.size() < 1 || n.size() > 50) {
                r.Report(n ? n : plan,
                         fmt::format("response_plan: `{}` must list 1 to 50 entries", key));
                return;
            }
            for (const auto& e : n) {
                FileReader::Map em(r, e, fmt::format("response_plan {} entry", key));
                read(em);
                em.Done();
            }
        };
        list("contacts", [&](FileReader::Map& e) {
            rules.response_plan.contacts.push_back(
                {e.Text("role"), e.Text("name"), e.Text("contact"), e.Text("note", false)});
        });
        list("steps", [&](FileReader::Map& e) {
            rules.response_plan.steps.push_back({e.Text("title"), e.Text("detail")});
        });
        m.Done();
    }
    return rules;
}

}  // namespace mamori::policy
