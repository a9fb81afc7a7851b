#include "policy/catalog.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/text.h"
#include "policy/file_reader.h"

namespace mamori::policy {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFileBytes = 1024 * 1024;

// The closed set of handling rules and the fields each may have (docs/policy-catalog.md).
const std::map<std::string, std::set<std::string>>& HandlingFields() {
    static const std::map<std::string, std::set<std::string>> kFields = {
        {"copies", {"restricted"}},
        {"storage", {"designated_only", "locked"}},
        {"transmission", {"encryption"}},
        {"takeout", {"requires_approval_by"}},
        {"provision", {"requires_approval_by"}},
        {"disposal", {"method", "record", "requires_approval_by"}},
        {"private_devices", {"allowed"}},
        {"publication", {"allowed"}},
        {"backup", {"required"}},
        {"signature", {"required"}},
        {"recovery", {"target"}},
        {"label", {"required"}},
    };
    return kFields;
}

// The `{name}` placeholders of a message template, in order; `error` is set when a brace
// does not open or close a placeholder (braces cannot be written otherwise).
std::vector<std::string> TemplatePlaceholders(const std::string& message, std::string& error) {
    static const std::regex kName(R"([a-z][a-z0-9_]*)");
    std::vector<std::string> out;
    for (std::size_t at = 0; at < message.size(); ++at) {
        if (message[at] == '}') {
            error = "`}` without an opening `{`";
            return out;
        }
        if (message[at] != '{') continue;
        const auto close = message.find('}', at + 1);
        if (close == std::string::npos) {
            error = "`{` without a closing `}`";
            return out;
        }
        std::string name = message.substr(at + 1, close - at - 1);
        if (!std::regex_match(name, kName)) {
            error = "`{" + name + "}` is not a placeholder (a-z, 0-9 and _)";
            return out;
        }
        out.push_back(std::move(name));
        at = close;
    }
    return out;
}

std::string Joined(const std::vector<std::string>& names, std::string_view open = "",
                   std::string_view close = "") {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{}{}{}", open, n, close);
    }
    return out.empty() ? "(none)" : out;
}

bool IsIsoDate(const std::string& s) {
    static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
    return std::regex_match(s, kDate);
}

// The parent a ref must sit under: "8-2(6)" → "8-2", "8-2" → "8", "3(8)" → "3", "8" → "".
std::string ParentRef(const std::string& ref) {
    if (auto p = ref.find('('); p != std::string::npos) return ref.substr(0, p);
    if (auto d = ref.find('-'); d != std::string::npos) return ref.substr(0, d);
    return {};
}

bool WellFormedRef(const std::string& ref) {
    static const std::regex kRef(R"(\d{1,2}(-\d{1,2})?(\(\d{1,2}\))?)");
    return std::regex_match(ref, kRef);
}

}  // namespace

// Builds a Catalog from its files; a friend of Catalog.
class CatalogParser {
  public:
    CatalogParser(const CatalogFiles& files, std::vector<Problem>& problems)
        : files_(files), problems_(problems) {}

    Catalog Run() {
        Catalog c;
        c.files_ = files_;
        ParseRoles(c);
        ParseCapabilities(c);
        ParsePolicy(c);
        ParseBasic(c);
        ParseStandards(c);
        ParseSchemes(c);
        ParseZones(c);
        ParseRequestTypes(c);
        ParseIncidents(c);
        CheckReferences(c);
        return c;
    }

  private:
    // Loads one file as YAML; null (with a problem noted) when missing or malformed.
    YAML::Node Load(const std::string& file, bool required = true) {
        auto it = files_.find(file);
        if (it == files_.end()) {
            if (required) problems_.push_back({file, 0, "the file is missing"});
            return {};
        }
        try {
            return YAML::Load(it->second);
        } catch (const YAML::ParserException& e) {
            problems_.push_back({file, e.mark.line + 1, "not valid YAML: " + e.msg});
        } catch (const YAML::Exception& e) {
            problems_.push_back({file, 0, "not valid YAML: " + e.msg});
        }
        return {};
    }

    void ParseRoles(Catalog& c) {
        auto it = files_.find("roles.yaml");
        if (it == files_.end()) {
            problems_.push_back({"roles.yaml", 0, "the file is missing"});
            return;
        }
        auto roles = org::RoleCatalog::Parse(it->second);
        if (!roles) {
            problems_.push_back({"roles.yaml", 0, roles.error().message});
            return;
        }
        c.roles_ = std::move(*roles);
    }

    void ParseCapabilities(Catalog& c) {
        const std::string file = "capabilities.yaml";
        auto root = Load(file);
        if (!root) return;
        FileReader r(file, problems_);
        FileReader::Map top(r, root, "capabilities.yaml");
        std::set<std::string> keys;
        for (const auto& n : top.Seq("capabilities")) {
            FileReader::Map m(r, n, "capability");
            Capability cap{m.Text("key"), m.Text("name"), m.Text("area"), m.Text("status")};
            if (cap.status != "available" && cap.status != "planned" && !cap.status.empty())
                r.Report(n, "capability " + cap.key + ": status must be available or planned");
            if (cap.key == "manual") r.Report(n, "`manual` is reserved and is not a capability");
            if (!cap.key.empty() && !keys.insert(cap.key).second)
                r.Report(n, "duplicate capability " + cap.key);
            c.capabilities_.push_back(std::move(cap));
        }
    }

    void ParsePolicy(Catalog& c) {
        const std::string file = "policy.yaml";
        auto root = Load(file);
        if (!root) return;
        FileReader r(file, problems_);
        FileReader::Map m(r, root, "policy");
        PolicyInfo& p = c.policy_;
        p.city = m.Text("city");
        p.title = m.Text("title");
        p.version = m.Text("version");
        static const std::regex kVersion(R"([A-Za-z0-9._-]{1,64})");
        if (!p.version.empty() && !std::regex_match(p.version, kVersion))
            r.Report(m.Node("version"),
                     "version: 1 to 64 characters of A-Z a-z 0-9 . _ - (e.g. 2026-03-23)");
        p.effective_date = m.Text("effective_date");
        if (!p.effective_date.empty() && !IsIsoDate(p.effective_date))
            r.Report(m.Node("effective_date"), "effective_date: must be a date such as 2026-03-23");
        p.classification_file = m.Text("classification");
        p.preface = m.Text("preface");
        for (const auto& n : m.Seq("structure")) {
            FileReader::Map s(r, n, "structure");
            p.structure.push_back(
                {s.Text("document"), s.Text("part_of", false), s.Text("description")});
        }
        for (const auto& n : m.Seq("revisions")) {
            FileReader::Map s(r, n, "revision");
            Revision rev{s.Text("date"), s.Text("label"), s.Text("kind")};
            if (!rev.date.empty() && !IsIsoDate(rev.date))
                r.Report(n, "revision: date must be a date such as 2026-03-23");
            if (!rev.kind.empty() && rev.kind != "策定" && rev.kind != "一部改正" &&
                rev.kind != "全部改正")
                r.Report(n, "revision: kind must be 策定, 一部改正 or 全部改正");
            if (!p.revisions.empty() && !rev.date.empty() && rev.date < p.revisions.back().date)
                r.Report(n, "revisions: must be listed oldest first");
            p.revisions.push_back(std::move(rev));
        }
        p.answer_options = m.List("answer_options");
    }

    void ParseBasicItems(FileReader& r, const YAML::Node& seq, const std::string& parent,
                         std::vector<BasicItem>& out, std::set<std::string>& refs) {
        for (const auto& n : seq) {
            FileReader::Map m(r, n, "basic policy item");
            BasicItem item;
            item.ref = m.Text("ref");
            item.title = m.Text("title");
            item.text = m.Text("text", false);
            item.closing = m.Text("closing", false);
            if (!item.ref.empty() && !refs.insert(item.ref).second)
                r.Report(n, "duplicate basic policy item " + item.ref);
            if (!parent.empty() && item.ref.rfind(parent + "(", 0) != 0)
                r.Report(n, fmt::format("basic policy item {} must be numbered {}(n)", item.ref,
                                        parent));
            ParseBasicItems(r, m.Seq("items", false), item.ref, item.items, refs);
            if (item.text.empty() && item.items.empty())
                r.Report(n, "basic policy item " + item.ref + " has neither text nor items");
            out.push_back(std::move(item));
        }
    }

    void ParseBasic(Catalog& c) {
        const std::string file = "basic-policy.yaml";
        auto root = Load(file);
        if (!root) return;
        FileReader r(file, problems_);
        FileReader::Map m(r, root, "basic policy");
        c.basic_chapter_ = m.Text("chapter");
        std::set<std::string> refs;
        ParseBasicItems(r, m.Seq("items"), "", c.basic_, refs);
    }

    // One node of 第2章 and, recursively, its children.
    void ParseControl(Catalog& c, FileReader& r, const YAML::Node& n, const std::string& parent,
                      int depth) {
        FileReader::Map m(r, n, "requirement");
        Control ctl;
        ctl.ref = m.Text("ref");
        ctl.title = m.Text("title");
        ctl.parent = parent;
        ctl.depth = depth;
        ctl.file = r.file();
        ctl.line = n.Mark().is_null() ? 0 : n.Mark().line + 1;
        const std::string what = "requirement " + ctl.ref;
        if (!ctl.ref.empty()) {
            if (!WellFormedRef(ctl.ref))
                r.Report(n, ctl.ref + ": a ref looks like 8, 8-2, 8-2(6) or 3(8)");
            else if (ParentRef(ctl.ref) != parent)
                r.Report(n, fmt::format("{} cannot sit under {}", ctl.ref,
                                        parent.empty() ? "the top of the file" : parent));
            if (c.index_.count(ctl.ref)) r.Report(n, "duplicate ref " + ctl.ref);
        }
        auto children = m.Seq("items", false);
        const bool leaf = children.size() == 0;
        auto requirement = m.Node("requirement");
        if (leaf) {
            ctl.requirement = m.Text("requirement");
            ctl.roles = m.List("roles");
            ctl.evidence = m.List("evidence");
            ctl.questions = m.List("questions");
            ctl.implemented_by = m.List("implemented_by");
            ctl.related = m.List("related", false);
            if (ctl.roles.empty() && m.Node("roles")) r.Report(n, what + ": needs a role");
            if (ctl.evidence.empty() && m.Node("evidence"))
                r.Report(n, what + ": needs at least one evidence");
            if (!ctl.questions.empty() && ctl.questions.size() > 3)
                r.Report(n, what + ": one to three questions");
            if (ctl.questions.empty() && m.Node("questions"))
                r.Report(n, what + ": one to three questions");
            const bool manual = std::find(ctl.implemented_by.begin(), ctl.implemented_by.end(),
                                          "manual") != ctl.implemented_by.end();
            if (manual && ctl.implemented_by.size() > 1)
                r.Report(n, what + ": implemented_by is either [manual] or capabilities");
            if (ctl.implemented_by.empty() && m.Node("implemented_by"))
                r.Report(n, what + ": implemented_by is either [manual] or capabilities");
        } else {
            for (const char* k :
                 {"requirement", "roles", "evidence", "questions", "implemented_by", "related"})
                if (m.Node(k))
                    r.Report(m.Node(k),
                             fmt::format("{}: has sub-items, so `{}` belongs to them", what, k));
        }
        (void)requirement;
        m.Done();
        const std::size_t index = c.controls_.size();
        if (!ctl.ref.empty()) c.index_.emplace(ctl.ref, index);
        if (!parent.empty())
            if (auto it = c.index_.find(parent); it != c.index_.end())
                c.controls_[it->second].children.push_back(ctl.ref);
        c.controls_.push_back(std::move(ctl));
        for (const auto& child : children)
            ParseControl(c, r, child, c.controls_[index].ref, depth + 1);
    }

    void ParseStandards(Catalog& c) {
        std::vector<std::string> files;
        for (const auto& [path, text] : files_)
            if (path.rfind("standards/", 0) == 0) files.push_back(path);
        if (files.empty()) problems_.push_back({"standards/", 0, "no standards files"});
        // Files are read in name order (01-…, 02-…); chapters must come in number order.
        std::sort(files.begin(), files.end());
        int last_chapter = 0;
        for (const auto& file : files) {
            auto root = Load(file);
            if (!root) continue;
            FileReader r(file, problems_);
            const std::size_t first = c.controls_.size();
            ParseControl(c, r, root, "", 0);
            if (c.controls_.size() > first) {
                const std::string& ref = c.controls_[first].ref;
                const int chapter = std::atoi(ref.c_str());
                if (chapter <= last_chapter)
                    r.Report(root,
                             fmt::format("chapter {} comes after chapter {}", ref, last_chapter));
                last_chapter = std::max(last_chapter, chapter);
            }
        }
    }

    ClassificationScheme ParseScheme(Catalog& c, const std::string& file) {
        ClassificationScheme s;
        s.file = file;
        auto root = Load(file);
        if (!root) return s;
        FileReader r(file, problems_);
        FileReader::Map m(r, root, "classification");
        s.key = m.Text("key");
        s.name = m.Text("name");
        s.source = m.Text("source", false);
        s.ref = m.Text("ref", false);
        if (!s.ref.empty()) refs_to_check_.push_back({file, root, s.ref});
        std::set<std::string> axes;
        for (const auto& an : m.Seq("axes")) {
            FileReader::Map am(r, an, "axis");
            Axis axis{am.Text("key"), am.Text("name"), {}};
            if (axis.key != "confidentiality" && axis.key != "integrity" &&
                axis.key != "availability")
                r.Report(an, "axis: key must be confidentiality, integrity or availability");
            if (!axes.insert(axis.key).second) r.Report(an, "duplicate axis " + axis.key);
            std::set<std::string> levels;
            for (const auto& ln : am.Seq("levels")) {
                FileReader::Map lm(r, ln, "level");
                Level level;
                level.key = lm.Text("key");
                level.name = lm.Text("name");
                level.definition = lm.Text("definition");
                auto rank = lm.Node("rank");
                if (!rank || !rank.IsScalar() || !YAML::convert<int>::decode(rank, level.rank) ||
                    level.rank < 1)
                    r.Report(ln, "level " + level.key + ": rank must be a whole number ≥ 1");
                if (!axis.levels.empty() && level.rank >= axis.levels.back().rank)
                    r.Report(ln, "levels: list the highest (largest rank) first");
                if (!levels.insert(level.key).second) r.Report(ln, "duplicate level " + level.key);
                auto handling = lm.Node("handling");
                if (handling && !handling.IsNull() && !handling.IsMap())
                    r.Report(handling, "handling: must be a mapping");
                if (handling && handling.IsMap())
                    for (const auto& kv : handling) {
                        HandlingRule rule;
                        rule.key = kv.first.as<std::string>("");
                        auto allowed = HandlingFields().find(rule.key);
                        if (allowed == HandlingFields().end()) {
                            r.Report(kv.first, "unknown handling rule `" + rule.key + "`");
                            continue;
                        }
                        if (!kv.second.IsMap()) {
                            r.Report(kv.second,
                                     "handling rule " + rule.key + ": must be a mapping");
                            continue;
                        }
                        for (const auto& f : kv.second) {
                            const std::string name = f.first.as<std::string>("");
                            if (!f.second.IsScalar()) {
                                r.Report(f.second, rule.key + "." + name + ": must be a value");
                                continue;
                            }
                            if (name == "ref") {
                                rule.ref = f.second.Scalar();
                                refs_to_check_.push_back({file, f.second, rule.ref});
                            } else if (name == "note") {
                                rule.note = f.second.Scalar();
                            } else if (!allowed->second.count(name)) {
                                r.Report(f.first,
                                         fmt::format("handling rule {}: unknown field `{}`",
                                                     rule.key, name));
                            } else {
                                rule.fields[name] = f.second.Scalar();
                                if (name == "requires_approval_by" &&
                                    !c.roles_.Find(f.second.Scalar()))
                                    r.Report(f.second, "unknown role " + f.second.Scalar());
                            }
                        }
                        level.handling.push_back(std::move(rule));
                    }
                axis.levels.push_back(std::move(level));
            }
            if (axis.levels.empty()) r.Report(an, "axis " + axis.key + ": needs levels");
            s.axes.push_back(std::move(axis));
        }
        if (!axes.count("confidentiality"))
            r.Report(root, "classification: the confidentiality axis is missing");
        ParseConsistencyChecks(r, m.Seq("consistency_checks", false), s);
        return s;
    }

    // `consistency_checks:` of a scheme (after its axes, whose levels they may name).
    void ParseConsistencyChecks(FileReader& r, const YAML::Node& seq, ClassificationScheme& s) {
        static const std::regex kCode(R"([a-z][a-z0-9_]{0,63})");
        std::set<std::string> codes;
        std::set<std::string> all_params;
        for (const auto& k : ConsistencyCheckKinds()) {
            all_params.insert(k.required.begin(), k.required.end());
            all_params.insert(k.optional.begin(), k.optional.end());
        }
        const Axis* confidentiality = s.FindAxis("confidentiality");
        for (const auto& n : seq) {
            FileReader::Map m(r, n, "consistency check");
            ConsistencyCheck check;
            check.code = m.Text("code");
            check.kind = m.Text("kind");
            check.ref = m.Text("ref");
            check.description = m.Text("description");
            check.message = m.Text("message");
            const std::string what = "consistency check " + check.code;
            if (!check.code.empty() && !std::regex_match(check.code, kCode))
                r.Report(m.Node("code"), what + ": code is snake_case (a-z, 0-9, _), 1 to 64");
            if (!check.code.empty() && !codes.insert(check.code).second)
                r.Report(n, "duplicate consistency check " + check.code);
            if (!check.ref.empty()) refs_to_check_.push_back({r.file(), m.Node("ref"), check.ref});
            const auto& kinds = ConsistencyCheckKinds();
            const auto kind = std::find_if(kinds.begin(), kinds.end(),
                                           [&](const auto& k) { return k.key == check.kind; });
            if (kind == kinds.end()) {
                if (!check.kind.empty()) {
                    std::vector<std::string> keys;
                    for (const auto& k : kinds) keys.push_back(k.key);
                    r.Report(m.Node("kind"), fmt::format("{}: unknown kind `{}` (known: {})", what,
                                                         check.kind, Joined(keys)));
                }
                for (const auto& p : all_params) m.Node(p);  // reported once, as the kind
                s.consistency_checks.push_back(std::move(check));
                continue;
            }
            for (const auto* params : {&kind->required, &kind->optional})
                for (const auto& p : *params) {
                    const std::string v = m.Text(p, params == &kind->required);
                    if (v.empty()) continue;
                    check.params[p] = v;
                    const YAML::Node at = m.Node(p);
                    if (p == "zone") {
                        zones_to_check_.push_back({r.file(), at, v});
                    } else if (p == "max_level") {
                        if (confidentiality &&
                            std::none_of(confidentiality->levels.begin(),
                                         confidentiality->levels.end(),
                                         [&](const Level& l) { return l.key == v; }))
                            r.Report(at, fmt::format("{}: max_level {} is not a confidentiality "
                                                     "level of this scheme",
                                                     what, v));
                    } else if (p == "grace_days") {
                        static const std::regex kDays(R"(\d{1,4})");
                        if (!std::regex_match(v, kDays))
                            r.Report(at, what + ": grace_days must be a whole number of days ≥ 0");
                    }
                }
            std::string error;
            for (const auto& name : TemplatePlaceholders(check.message, error))
                if (std::find(kind->placeholders.begin(), kind->placeholders.end(), name) ==
                    kind->placeholders.end())
                    r.Report(
                        m.Node("message"),
                        fmt::format("{}: unknown placeholder {{{}}} in message (a {} check "
                                    "knows {})",
                                    what, name, kind->key, Joined(kind->placeholders, "{", "}")));
            if (!error.empty()) r.Report(m.Node("message"), what + ": message: " + error);
            s.consistency_checks.push_back(std::move(check));
        }
    }

    void ParseSchemes(Catalog& c) {
        const std::string& in_force = c.policy_.classification_file;
        if (!in_force.empty() && !files_.count(in_force))
            problems_.push_back({"policy.yaml", 0,
                                 "classification: " + in_force + " is not a file of the catalog"});
        if (files_.count(in_force)) c.schemes_.push_back(ParseScheme(c, in_force));
        for (const auto& [path, text] : files_)
            if (path != in_force && path.rfind("classification", 0) == 0 &&
                path.find('/') == std::string::npos)
                c.schemes_.push_back(ParseScheme(c, path));
        if (!c.schemes_.empty() && c.schemes_.front().file == in_force)
            c.classification_ = c.schemes_.front();
    }

    void ParseZones(Catalog& c) {
        const std::string file = "zones.yaml";
        auto root = Load(file);
        if (!root) return;
        FileReader r(file, problems_);
        FileReader::Map m(r, root, "zones.yaml");
        Zones& z = c.zones_;
        std::set<std::string> methods, zones;
        for (const auto& n : m.Seq("methods", false)) {
            FileReader::Map mm(r, n, "method");
            ZoneMethod method{mm.Text("key"), mm.Text("name"), mm.Text("description")};
            if (!methods.insert(method.key).second) r.Report(n, "duplicate method " + method.key);
            z.methods.push_back(std::move(method));
        }
        for (const auto& n : m.Seq("zones")) {
            FileReader::Map zm(r, n, "zone");
            Zone zone{zm.Text("key"), zm.Text("name"), zm.Text("ref"), zm.Text("description")};
            if (!zone.ref.empty()) refs_to_check_.push_back({file, n, zone.ref});
            if (!zones.insert(zone.key).second) r.Report(n, "duplicate zone " + zone.key);
            z.zones.push_back(std::move(zone));
        }
        std::set<std::pair<std::string, std::string>> pairs;
        for (const auto& n : m.Seq("flows")) {
            FileReader::Map fm(r, n, "flow");
            ZoneFlow flow;
            flow.from = fm.Text("from");
            flow.to = fm.Text("to");
            flow.rule = fm.Text("rule");
            flow.methods = fm.List("methods", false);
            flow.ref = fm.Text("ref", false);
            flow.note = fm.Text("note", false);
            if (!flow.ref.empty()) refs_to_check_.push_back({file, n, flow.ref});
            for (const auto* k : {&flow.from, &flow.to})
                if (!k->empty() && !zones.count(*k)) r.Report(n, "flow: unknown zone " + *k);
            if (flow.from == flow.to) r.Report(n, "flow: from and to must differ");
            if (!pairs.insert({flow.from, flow.to}).second)
                r.Report(n, fmt::format("flow {} → {} is listed twice", flow.from, flow.to));
            if (flow.rule != "forbidden" && flow.rule != "sanitised" && flow.rule != "exception")
                r.Report(n, "flow: rule must be forbidden, sanitised or exception");
            if (flow.rule == "sanitised" && flow.methods.empty())
                r.Report(n, "flow: a sanitised flow names its methods");
            if (flow.rule != "sanitised" && !flow.methods.empty())
                r.Report(n, "flow: only a sanitised flow has methods");
            for (const auto& k : flow.methods)
                if (!methods.count(k)) r.Report(n, "flow: unknown method " + k);
            z.flows.push_back(std::move(flow));
        }
        for (const auto& a : zones)
            for (const auto& b : zones)
                if (a != b && !pairs.count({a, b}))
                    r.Report(root, fmt::format("flows: {} → {} is not listed", a, b));
    }

    // requests/*.yaml: optional; each file one type.
    void ParseRequestTypes(Catalog& c) {
        RequestTypeContext ctx;
        ctx.roles = &c.roles_;
        ctx.scheme = c.classification_.axes.empty() ? nullptr : &c.classification_;
        std::map<std::string, std::string> prefixes;  // prefix → key
        for (const auto& [path, text] : files_) {
            if (path.rfind("requests/", 0) != 0) continue;
            auto root = Load(path);
            if (!root) continue;
            FileReader r(path, problems_);
            ctx.ref_used = [&](const YAML::Node& n, const std::string& ref) {
                refs_to_check_.push_back({path, n, ref});
            };
            RequestType t = ParseRequestType(r, root, ctx);
            if (!t.prefix.empty()) {
                auto [it, fresh] = prefixes.emplace(t.prefix, t.key);
                if (!fresh)
                    r.Report(root["prefix"],
                             fmt::format("prefix {} is also used by {}", t.prefix, it->second));
            }
            if (t.exception && std::any_of(c.request_types_.begin(), c.request_types_.end(),
                                           [](const RequestType& o) { return o.exception; }))
                r.Report(root["exception"], "only one request type may be the exception type");
            c.request_types_.push_back(std::move(t));
        }
    }

    // incidents.yaml: optional (a catalog without it has no incident rules).
    void ParseIncidents(Catalog& c) {
        const std::string file = "incidents.yaml";
        if (!files_.count(file)) return;
        auto root = Load(file);
        if (!root || root.IsNull()) return;  // malformed: Load noted it
        FileReader r(file, problems_);
        c.incident_rules_ = ParseIncidentRules(r, root);
    }

    void CheckReferences(Catalog& c) {
        std::set<std::string> capabilities;
        for (const auto& cap : c.capabilities_) capabilities.insert(cap.key);
        const bool roles_loaded = !c.roles_.roles().empty();
        for (const auto& ctl : c.controls_) {
            auto report = [&](const std::string& msg) {
                problems_.push_back({ctl.file, ctl.line, "requirement " + ctl.ref + ": " + msg});
            };
            for (const auto& role : ctl.roles)
                if (roles_loaded && !c.roles_.Find(role)) report("unknown role " + role);
            if (!ctl.manual())
                for (const auto& k : ctl.implemented_by)
                    if (!capabilities.count(k)) report("unknown capability " + k);
            for (const auto& ref : ctl.related) {
                if (!c.index_.count(ref)) report("related: no requirement " + ref);
                if (ref == ctl.ref) report("related: names itself");
            }
        }
        for (const auto& [file, node, ref] : refs_to_check_)
            if (!c.index_.count(ref)) {
                const int line = node && !node.Mark().is_null() ? node.Mark().line + 1 : 0;
                problems_.push_back({file, line, "ref: no requirement " + ref});
            }
        // Zones named by consistency checks (zones.yaml is read after the schemes); when
        // zones.yaml itself failed, that is the problem to report.
        if (!c.zones_.zones.empty())
            for (const auto& [file, node, zone] : zones_to_check_)
                if (std::none_of(c.zones_.zones.begin(), c.zones_.zones.end(),
                                 [&](const Zone& z) { return z.key == zone; })) {
                    const int line = node && !node.Mark().is_null() ? node.Mark().line + 1 : 0;
                    problems_.push_back(
                        {file, line, "consistency check: zone " + zone + " is not in zones.yaml"});
                }
    }

    struct RefUse {
        std::string file;
        YAML::Node node;
        std::string ref;
    };

    const CatalogFiles& files_;
    std::vector<Problem>& problems_;
    std::vector<RefUse> refs_to_check_;
    std::vector<RefUse> zones_to_check_;  // `ref` holds the zone key
};

const std::vector<ConsistencyCheckKind>& ConsistencyCheckKinds() {
    static const std::vector<ConsistencyCheckKind> kKinds = {
        {"specific_personal_info_outside_zone", {"zone"}, {}, {"zone", "system_zone"}},
        {"personal_info_at_or_below", {"max_level"}, {}, {"level", "max_level"}},
        {"above_system_highest", {}, {}, {"level", "system_level"}},
        {"review_overdue", {}, {"grace_days"}, {"due", "days_overdue", "grace_days"}},
    };
    return kKinds;
}

const Axis* ClassificationScheme::FindAxis(std::string_view k) const {
    for (const auto& a : axes)
        if (a.key == k) return &a;
    return nullptr;
}

std::string FormatProblems(const std::vector<Problem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        if (!out.empty()) out += '\n';
        out += p.line > 0 ? fmt::format("{}:{}: {}", p.file, p.line, p.message)
                          : fmt::format("{}: {}", p.file, p.message);
    }
    return out;
}

Result<Catalog> Catalog::Parse(const CatalogFiles& files, std::vector<Problem>* problems) {
    std::vector<Problem> found;
    for (const auto& [path, text] : files)
        if (!core::ValidUtf8(text)) found.push_back({path, 0, "not valid UTF-8"});
    Catalog c;
    if (found.empty()) c = CatalogParser(files, found).Run();
    if (problems) *problems = found;
    if (!found.empty())
        return Fail(Error::Invalid("catalog_invalid",
                                   fmt::format("the policy catalog has {} problem(s):\n{}",
                                               found.size(), FormatProblems(found))));
    return c;
}

const Control* Catalog::Find(std::string_view ref) const {
    auto it = index_.find(std::string(ref));
    return it == index_.end() ? nullptr : &controls_[it->second];
}

const RequestType* Catalog::FindRequestType(std::string_view key) const {
    for (const auto& t : request_types_)
        if (t.key == key) return &t;
    return nullptr;
}

const Capability* Catalog::FindCapability(std::string_view key) const {
    for (const auto& c : capabilities_)
        if (c.key == key) return &c;
    return nullptr;
}

Result<CatalogFiles> ReadCatalogDir(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Fail(Error::NotFound("no policy catalog folder at " + dir.string()));
    CatalogFiles files;
    auto read = [&](const fs::path& p, const std::string& name) -> Result<void> {
        if (fs::file_size(p, ec) > kMaxFileBytes)
            return Fail(Error::Invalid("catalog_invalid", name + ": larger than 1 MiB"));
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        if (!in && !in.eof())
            return Fail(Error::Invalid("catalog_invalid", name + ": cannot be read"));
        files[name] = s.str();
        return {};
    };
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".yaml") continue;
        if (auto r = read(e.path(), name); !r) return Fail(r.error());
    }
    for (const char* sub : {"standards", "requests"})
        if (fs::is_directory(dir / sub, ec))
            for (const auto& e : fs::directory_iterator(dir / sub, ec)) {
                if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
                const std::string name = std::string(sub) + "/" + e.path().filename().string();
                if (auto r = read(e.path(), name); !r) return Fail(r.error());
            }
    if (ec) return Fail(Error::Invalid("catalog_invalid", dir.string() + ": " + ec.message()));
    return files;
}

}  // namespace mamori::policy
