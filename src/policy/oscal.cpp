#include "policy/oscal.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <optional>

#include "core/crypto.h"

namespace mamori::policy {
namespace {

namespace json = boost::json;

// The namespace NIST's SP 800-53 catalog uses for assessment-method props.
constexpr std::string_view kRmfNamespace = "http://csrc.nist.gov/ns/rmf";
// Dates in a Japanese city's policy are local dates; OSCAL wants a time with a zone.
constexpr std::string_view kMidnightJst = "T00:00:00+09:00";

bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

// Drops ASCII whitespace at both ends: YAML block scalars end with a newline, and OSCAL
// strings may not start or end with whitespace. Full-width spaces (U+3000) are text.
std::string Trim(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// "2026-03-23" → "2026-03-23T00:00:00+09:00"; nullopt when `date` is not YYYY-MM-DD.
std::optional<std::string> AtMidnightJst(std::string_view date) {
    constexpr std::string_view kShape = "dddd-dd-dd";
    if (date.size() != kShape.size()) return std::nullopt;
    for (std::size_t i = 0; i < date.size(); ++i) {
        const bool digit = std::isdigit(static_cast<unsigned char>(date[i])) != 0;
        if (kShape[i] == 'd' ? !digit : date[i] != '-') return std::nullopt;
    }
    return std::string(date) + std::string(kMidnightJst);
}

// "8-2(6)" → "08.02.06": OSCAL's sort-id, so "8-10" sorts after "8-9" as text.
std::string SortId(std::string_view ref) {
    std::string out;
    std::string number;
    auto flush = [&] {
        if (number.empty()) return;
        if (!out.empty()) out += '.';
        if (number.size() < 2) out += '0';
        out += number;
        number.clear();
    };
    for (char ch : ref) {
        if (std::isdigit(static_cast<unsigned char>(ch))) {
            number += ch;
        } else {
            flush();
        }
    }
    flush();
    return out;
}

json::object Prop(std::string_view name, std::string_view value) {
    return {{"name", name}, {"value", value}};
}

// A prop in mamori's namespace; `cls` and `remarks` only when given.
json::object OwnProp(std::string_view name, std::string_view value, std::string_view cls = {},
                     std::string_view remarks = {}) {
    json::object p{{"name", name}, {"ns", kOscalNamespace}, {"value", value}};
    if (!cls.empty()) p["class"] = cls;
    if (!remarks.empty()) p["remarks"] = remarks;
    return p;
}

json::array LabelProps(std::string_view ref) {
    return {Prop("label", ref), Prop("sort-id", SortId(ref))};
}

json::object ProsePart(std::string id, std::string_view name, std::string_view prose) {
    return {{"id", std::move(id)}, {"name", name}, {"prose", Trim(prose)}};
}

std::string MarkdownList(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += '\n';
        out += "- " + Trim(item);
    }
    return out;
}

std::string RoleName(const Catalog& c, const std::string& key) {
    const org::Role* role = c.roles().Find(key);
    return role != nullptr ? role->name : key;
}

json::array AssessmentParts(const Catalog& c, const Control& n, const std::string& id) {
    json::array questions;
    for (std::size_t i = 0; i < n.questions.size(); ++i) {
        const std::string number = std::to_string(i + 1);
        json::object q = ProsePart(id + "_obj." + number, "assessment-objective", n.questions[i]);
        q["props"] = json::array{Prop("label", number)};
        questions.push_back(std::move(q));
    }
    json::object objective{{"id", id + "_obj"}, {"name", "assessment-objective"}};
    std::string answers;
    for (const auto& a : c.policy().answer_options) answers += (answers.empty() ? "" : " / ") + a;
    if (!answers.empty()) {
        objective["props"] = json::array{OwnProp("answer-options", answers)};
    }
    if (!questions.empty()) objective["parts"] = std::move(questions);

    // A self-check is answered by the people who hold the responsible roles: an interview.
    json::object method{{"id", id + "_asm"}, {"name", "assessment-method"}};
    method["props"] = json::array{
        json::object{{"name", "method"}, {"ns", kRmfNamespace}, {"value", "INTERVIEW"}}};
    std::vector<std::string> interviewees;
    for (const auto& key : n.roles) interviewees.push_back(RoleName(c, key));
    if (!interviewees.empty()) {
        method["parts"] = json::array{
            ProsePart(id + "_asm.obj", "assessment-objects", MarkdownList(interviewees))};
    }
    return {std::move(objective), std::move(method)};
}

json::object ControlOf(const Catalog& c, const Control& n) {
    const std::string id = OscalId(n.ref);
    json::array props = LabelProps(n.ref);
    for (const auto& key : n.roles) props.push_back(OwnProp("responsible-role", key));
    for (const auto& key : n.implemented_by) {
        if (key == "manual") {
            props.push_back(OwnProp("implemented-by", key, "manual"));
        } else if (const Capability* cap = c.FindCapability(key)) {
            props.push_back(OwnProp("implemented-by", key, cap->status, cap->name));
        } else {
            props.push_back(OwnProp("implemented-by", key));
        }
    }

    json::object control{{"id", id}, {"class", "requirement"}, {"title", Trim(n.title)}};
    control["props"] = std::move(props);
    if (!n.related.empty()) {
        json::array links;
        for (const auto& ref : n.related) {
            links.push_back({{"href", "#" + OscalId(ref)}, {"rel", "related"}, {"text", ref}});
        }
        control["links"] = std::move(links);
    }

    json::array parts;
    if (!Trim(n.requirement).empty())
        parts.push_back(ProsePart(id + "_smt", "statement", n.requirement));
    if (!n.evidence.empty())
        parts.push_back(ProsePart(id + "_gdn", "guidance", MarkdownList(n.evidence)));
    for (auto& p : AssessmentParts(c, n, id)) parts.push_back(std::move(p));
    control["parts"] = std::move(parts);
    return control;
}

std::string_view GroupClass(const Control& n) { return n.depth == 0 ? "chapter" : "section"; }

// A group of its own around a requirement that sits beside groups (see oscal.h).
json::object Wrapped(const Catalog& c, const Control& n) {
    json::object g{
        {"id", "g" + OscalId(n.ref).substr(1)}, {"class", GroupClass(n)}, {"title", Trim(n.title)}};
    g["props"] = LabelProps(n.ref);
    g["controls"] = json::array{ControlOf(c, n)};
    return g;
}

json::object GroupOf(const Catalog& c, const Control& n) {
    std::vector<const Control*> children;
    for (const auto& ref : n.children) {
        if (const Control* child = c.Find(ref)) children.push_back(child);
    }
    const bool has_groups = std::any_of(children.begin(), children.end(),
                                        [](const Control* ch) { return !ch->leaf(); });

    json::object g{{"id", OscalId(n.ref)}, {"class", GroupClass(n)}, {"title", Trim(n.title)}};
    g["props"] = LabelProps(n.ref);
    json::array groups;
    json::array controls;
    for (const Control* child : children) {
        if (!child->leaf()) {
            groups.push_back(GroupOf(c, *child));
        } else if (has_groups) {
            groups.push_back(Wrapped(c, *child));
        } else {
            controls.push_back(ControlOf(c, *child));
        }
    }
    if (!groups.empty()) g["groups"] = std::move(groups);
    if (!controls.empty()) g["controls"] = std::move(controls);
    return g;
}

json::object BasicPart(const BasicItem& item) {
    const std::string id = "bp" + OscalId(item.ref).substr(1);
    json::object part{{"id", id},
                      {"name", "basic-policy-item"},
                      {"ns", kOscalNamespace},
                      {"title", Trim(item.title)}};
    part["props"] = json::array{Prop("label", item.ref)};
    if (!Trim(item.text).empty()) part["prose"] = Trim(item.text);
    json::array parts;
    for (const auto& sub : item.items) parts.push_back(BasicPart(sub));
    if (!Trim(item.closing).empty()) {
        json::object closing = ProsePart(id + "_closing", "closing", item.closing);
        closing["ns"] = kOscalNamespace;
        parts.push_back(std::move(closing));
    }
    if (!parts.empty()) part["parts"] = std::move(parts);
    return part;
}

json::object BasicGroup(const Catalog& c) {
    json::object g{
        {"id", "basic-policy"}, {"class", "basic-policy"}, {"title", Trim(c.basic_chapter())}};
    json::array parts;
    for (const auto& item : c.basic()) parts.push_back(BasicPart(item));
    if (!parts.empty()) g["parts"] = std::move(parts);
    return g;
}

json::object Metadata(const Catalog& c, const OscalOptions& o) {
    const PolicyInfo& p = c.policy();
    const std::optional<std::string> published = AtMidnightJst(p.effective_date);

    json::object m{{"title", Trim(p.title)}};
    if (published) m["published"] = *published;
    m["last-modified"] = !o.last_modified.empty() ? o.last_modified
                         : published              ? *published
                                                  : std::string("1970-01-01T00:00:00Z");
    m["version"] = p.version;
    m["oscal-version"] = kOscalVersion;

    if (!p.revisions.empty()) {
        json::array revisions;
        // OSCAL lists revisions newest first; policy.yaml keeps them oldest first.
        for (auto it = p.revisions.rbegin(); it != p.revisions.rend(); ++it) {
            json::object r{{"title", Trim(it->label + " " + it->kind)}};
            if (auto at = AtMidnightJst(it->date)) r["published"] = *at;
            r["version"] = it->date;
            r["props"] = json::array{OwnProp("revision-kind", it->kind)};
            revisions.push_back(std::move(r));
        }
        m["revisions"] = std::move(revisions);
    }

    json::array props{OwnProp("city", p.city)};
    if (!p.effective_date.empty()) props.push_back(OwnProp("effective-date", p.effective_date));
    for (const auto& answer : p.answer_options) props.push_back(OwnProp("answer-option", answer));
    m["props"] = std::move(props);

    if (!c.roles().roles().empty()) {
        json::array roles;
        for (const auto& role : c.roles().roles()) {
            json::object r{{"id", role.key}, {"title", Trim(role.name)}};
            if (!Trim(role.description).empty()) r["description"] = Trim(role.description);
            roles.push_back(std::move(r));
        }
        m["roles"] = std::move(roles);
    }

    std::string remarks = Trim(p.preface);
    for (const auto& row : p.structure) {
        remarks += remarks.empty() ? "" : "\n\n";
        remarks += "- " + Trim(row.document);
        if (!row.part_of.empty()) remarks += " (" + Trim(row.part_of) + ")";
        remarks += ": " + Trim(row.description);
    }
    if (!remarks.empty()) m["remarks"] = remarks;
    return m;
}

}  // namespace

std::string OscalId(std::string_view ref) {
    std::string id = "s";
    for (char ch : ref) {
        if (ch == '(') {
            id += '.';
        } else if (ch == ')') {
            continue;
        } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ||
                   ch == '_') {
            id += ch;
        } else {
            id += '_';
        }
    }
    return id;
}

std::string DerivedUuid(std::string_view name) {
    auto digest = crypto::Sha256(name);
    digest[6] = static_cast<std::uint8_t>((digest[6] & 0x0f) | 0x50);  // version 5
    digest[8] = static_cast<std::uint8_t>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
    const std::string hex =
        crypto::Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

json::value ToOscal(const Catalog& c, const OscalOptions& o) {
    json::array groups{BasicGroup(c)};
    for (const auto& n : c.controls()) {
        if (!n.parent.empty()) continue;
        groups.push_back(n.leaf() ? Wrapped(c, n) : GroupOf(c, n));
    }

    json::object catalog{{"uuid", !o.uuid.empty()
                                      ? o.uuid
                                      : DerivedUuid("mamori policy catalog\n" + c.policy().city +
                                                    "\n" + c.policy().version)}};
    catalog["metadata"] = Metadata(c, o);
    catalog["groups"] = std::move(groups);
    return json::object{{"catalog", std::move(catalog)}};
}

}  // namespace mamori::policy
