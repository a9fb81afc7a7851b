#include "policy/request_types.h"

#include <algorithm>
#include <array>
#include <regex>
#include <set>
#include <utility>

#include "policy/file_reader.h"

namespace mamori::policy {

namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 13> kFieldTypes = {{
    {FieldType::kText, "text"},
    {FieldType::kLongText, "long_text"},
    {FieldType::kDate, "date"},
    {FieldType::kDateRange, "date_range"},
    {FieldType::kNumber, "number"},
    {FieldType::kChoice, "choice"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kAsset, "asset"},
    {FieldType::kSystem, "system"},
    {FieldType::kUnit, "unit"},
    {FieldType::kPerson, "person"},
    {FieldType::kControl, "control"},
    {FieldType::kFile, "file"},
}};

constexpr std::size_t kTextDefault = 200, kTextMax = 1000;
constexpr std::size_t kLongTextDefault = 4000, kLongTextMax = 20000;
const std::set<std::string> kHandlingApprovals = {"takeout", "provision", "disposal"};

FormField ParseField(FileReader& r, const YAML::Node& n, std::set<std::string>& keys) {
    static const std::regex kKey(R"([a-z][a-z0-9_]{0,39})");
    FileReader::Map m(r, n, "field");
    FormField f;
    f.key = m.Text("key");
    const std::string what = "field " + f.key;
    if (!f.key.empty() && !std::regex_match(f.key, kKey))
        r.Report(n, what + ": key must be lower-case letters, digits and _ (at most 40)");
    if (!f.key.empty() && !keys.insert(f.key).second) r.Report(n, "duplicate field " + f.key);
    f.label = m.Text("label");
    f.help = m.Text("help", false);
    const std::string type = m.Text("type");
    if (auto t = FieldTypeFromName(type)) {
        f.type = *t;
    } else if (!type.empty()) {
        r.Report(m.Node("type"), what + ": unknown type " + type);
    }
    if (auto v = m.Node("required"); v && !v.IsNull())
        f.required = r.Boolean(v, what + ": required").value_or(false);
    if (f.required && f.type == FieldType::kBoolean)
        r.Report(n, what + ": a boolean field cannot be required");
    if (auto v = m.Node("multiple"); v && !v.IsNull()) {
        f.multiple = r.Boolean(v, what + ": multiple").value_or(false);
        if (f.multiple && !FieldTypeMayRepeat(f.type))
            r.Report(v, what +
                            ": only asset, system, unit, person, control and file fields "
                            "may be multiple");
    }
    const bool text = f.type == FieldType::kText || f.type == FieldType::kLongText;
    const std::size_t limit = f.type == FieldType::kLongText ? kLongTextMax : kTextMax;
    f.max_length = f.type == FieldType::kLongText ? kLongTextDefault : kTextDefault;
    if (auto v = m.Node("max_length"); v && !v.IsNull()) {
        if (!text) r.Report(v, what + ": only text and long_text fields have max_length");
        if (auto i = r.Integer(v, what + ": max_length")) {
            if (*i < 1 || static_cast<std::size_t>(*i) > limit)
                r.Report(v, fmt::format("{}: max_length must be 1 to {}", what, limit));
            else
                f.max_length = static_cast<std::size_t>(*i);
        }
    }
    if (!text) f.max_length = 0;
    for (const char* bound : {"min", "max"}) {
        auto v = m.Node(bound);
        if (!v || v.IsNull()) continue;
        if (f.type != FieldType::kNumber)
            r.Report(v, fmt::format("{}: only number fields have {}", what, bound));
        (std::string_view(bound) == "min" ? f.min : f.max) = r.Integer(v, what + ": " + bound);
    }
    if (f.min && f.max && *f.min > *f.max) r.Report(n, what + ": min is greater than max");
    auto options = m.Node("options");
    if (f.type == FieldType::kChoice) {
        if (!options || !options.IsSequence() || options.size() < 2 || options.size() > 30) {
            r.Report(options ? options : n, what + ": a choice needs 2 to 30 options");
        } else {
            std::set<std::string> values;
            for (const auto& o : options) {
                FileReader::Map om(r, o, what + ": option");
                ChoiceOption opt{om.Text("value"), om.Text("label")};
                if (!opt.value.empty() && !std::regex_match(opt.value, kKey))
                    r.Report(o, what + ": option values are lower-case letters, digits and _");
                if (!values.insert(opt.value).second)
                    r.Report(o, what + ": duplicate option " + opt.value);
                f.options.push_back(std::move(opt));
            }
        }
    } else if (options && !options.IsNull()) {
        r.Report(options, what + ": only choice fields have options");
    }
    return f;
}

std::optional<StepCondition> ParseCondition(FileReader& r, const YAML::Node& n,
                                            const RequestType& t, const RequestTypeContext& ctx) {
    FileReader::Map m(r, n, "when");
    StepCondition c;
    c.field = m.Text("field");
    const FormField* f = t.FindField(c.field);
    if (!c.field.empty() && !f) r.Report(n, "when: no field " + c.field + " in this type");
    int forms = 0;
    if (auto v = m.Node("equals"); v && !v.IsNull()) {
        ++forms;
        if (!v.IsScalar())
            r.Report(v, "when: equals must be a single value");
        else
            c.equals = v.Scalar();
        if (f && f->type != FieldType::kBoolean && f->type != FieldType::kChoice &&
            f->type != FieldType::kText)
            r.Report(v, "when: equals applies to boolean, choice and text fields");
        if (f && f->type == FieldType::kBoolean && c.equals && *c.equals != "true" &&
            *c.equals != "false")
            r.Report(v, "when: a boolean field equals true or false");
        if (f && f->type == FieldType::kChoice && c.equals &&
            std::none_of(f->options.begin(), f->options.end(),
                         [&](const ChoiceOption& o) { return o.value == *c.equals; }))
            r.Report(v, "when: " + *c.equals + " is not an option of " + f->key);
    }
    if (m.Node("in")) {
        ++forms;
        c.in = m.List("in");
        if (f && f->type != FieldType::kChoice) r.Report(n, "when: in applies to choice fields");
        if (f)
            for (const auto& value : c.in)
                if (std::none_of(f->options.begin(), f->options.end(),
                                 [&](const ChoiceOption& o) { return o.value == value; }))
                    r.Report(n, "when: " + value + " is not an option of " + f->key);
    }
    if (auto v = m.Node("confidentiality_at_least"); v && !v.IsNull()) {
        ++forms;
        c.confidentiality_at_least = m.Text("confidentiality_at_least");
        if (f && (f->type != FieldType::kAsset || f->multiple))
            r.Report(v, "when: confidentiality_at_least applies to a single asset field");
        if (ctx.scheme && !c.confidentiality_at_least.empty()) {
            const Axis* axis = ctx.scheme->FindAxis("confidentiality");
            if (axis && std::none_of(axis->levels.begin(), axis->levels.end(), [&](const Level& l) {
                    return l.key == c.confidentiality_at_least;
                }))
                r.Report(v, "when: no confidentiality level " + c.confidentiality_at_least);
        }
    }
    if (forms != 1)
        r.Report(n, "when: give exactly one of equals, in and confidentiality_at_least");
    return c;
}

// A single, required field of `type` named by `key`, or a problem.
void RequireSingle(FileReader& r, const YAML::Node& at, const RequestType& t,
                   const std::string& key, FieldType type, const std::string& what) {
    const FormField* f = t.FindField(key);
    if (!f || f->type != type || f->multiple || !f->required)
        r.Report(at, fmt::format("{}: {} must name a required {} field (not multiple)", what, key,
                                 FieldTypeName(type)));
}

ChainStep ParseStep(FileReader& r, const YAML::Node& n, const RequestType& t,
                    const RequestTypeContext& ctx) {
    FileReader::Map m(r, n, "chain step");
    ChainStep s;
    auto handling = m.Node("from_handling");
    if (handling && !handling.IsNull()) {
        FileReader::Map hm(r, handling, "from_handling");
        s.handling_field = hm.Text("field");
        s.handling_rule = hm.Text("rule");
        if (!s.handling_field.empty())
            RequireSingle(r, handling, t, s.handling_field, FieldType::kAsset, "from_handling");
        if (!s.handling_rule.empty() && !kHandlingApprovals.count(s.handling_rule))
            r.Report(handling, "from_handling: rule must be takeout, provision or disposal");
        if (m.Node("role")) r.Report(n, "chain step: give either role or from_handling");
    } else {
        s.role = m.Text("role");
        if (!s.role.empty() && ctx.roles && !ctx.roles->roles().empty()) {
            const org::Role* role = ctx.roles->Find(s.role);
            const auto& esc = ctx.roles->escalation();
            if (!role)
                r.Report(n, "chain step: unknown role " + s.role);
            else if (!role->for_system && std::find(esc.begin(), esc.end(), s.role) == esc.end())
                r.Report(n, "chain step: " + s.role +
                                " does not approve: use a role of approval_escalation or a "
                                "system role");
        }
    }
    s.label = m.Text("label", false);
    s.system_field = m.Text("system_field", false);
    if (s.role == "system_manager") {
        if (s.system_field.empty())
            r.Report(n, "chain step: system_manager needs system_field");
        else
            RequireSingle(r, n, t, s.system_field, FieldType::kSystem, "system_field");
    } else if (!s.system_field.empty()) {
        r.Report(n, "chain step: only a system_manager step has system_field");
    }
    if (auto w = m.Node("when"); w && !w.IsNull()) s.when = ParseCondition(r, w, t, ctx);
    return s;
}

}  // namespace

std::optional<FieldType> FieldTypeFromName(std::string_view name) {
    for (const auto& [type, n] : kFieldTypes)
        if (n == name) return type;
    return std::nullopt;
}

std::string_view FieldTypeName(FieldType type) {
    for (const auto& [t, n] : kFieldTypes)
        if (t == type) return n;
    return "text";
}

bool FieldTypeMayRepeat(FieldType type) {
    switch (type) {
        case FieldType::kAsset:
        case FieldType::kSystem:
        case FieldType::kUnit:
        case FieldType::kPerson:
        case FieldType::kControl:
        case FieldType::kFile:
            return true;
        default:
            return false;
    }
}

const FormField* RequestType::FindField(std::string_view k) const {
    for (const auto& f : fields)
        if (f.key == k) return &f;
    return nullptr;
}

RequestType ParseRequestType(FileReader& r, const YAML::Node& root, const RequestTypeContext& ctx) {
    static const std::regex kKey(R"([a-z][a-z0-9_]{1,39})");
    static const std::regex kPrefix(R"([A-Z]{2,5})");
    FileReader::Map m(r, root, "request type");
    RequestType t;
    t.file = r.file();
    t.key = m.Text("key");
    if (!t.key.empty() && !std::regex_match(t.key, kKey))
        r.Report(m.Node("key"), "key must be lower-case letters, digits and _ (2 to 40)");
    const std::string expected = "requests/" + t.key + ".yaml";
    if (!t.key.empty() && t.file != expected)
        r.Report(m.Node("key"), "key must match the file name (" + expected + ")");
    t.prefix = m.Text("prefix");
    if (!t.prefix.empty() && !std::regex_match(t.prefix, kPrefix))
        r.Report(m.Node("prefix"), "prefix must be 2 to 5 upper-case letters A-Z");
    t.name = m.Text("name");
    t.description = m.Text("description");
    t.refs = m.List("refs");
    if (auto refs = m.Node("refs"); refs && refs.IsSequence()) {
        if (refs.size() == 0) r.Report(refs, "refs: name at least one 対策基準 item");
        for (const auto& ref : refs)
            if (ref.IsScalar() && ctx.ref_used) ctx.ref_used(ref, ref.Scalar());
    }
    if (auto v = m.Node("exception"); v && !v.IsNull())
        t.exception = r.Boolean(v, "exception").value_or(false);

    std::set<std::string> keys;
    auto fields = m.Seq("fields");
    if (fields.size() == 0 || fields.size() > 30)
        r.Report(root, "fields: a request type has 1 to 30 fields");
    for (const auto& f : fields) t.fields.push_back(ParseField(r, f, keys));

    if (auto v = m.Node("validity"); v && !v.IsNull()) {
        FileReader::Map vm(r, v, "validity");
        Validity validity;
        validity.field = vm.Text("field");
        if (!validity.field.empty())
            RequireSingle(r, v, t, validity.field, FieldType::kDateRange, "validity");
        if (auto d = vm.Node("max_days"); d && !d.IsNull())
            if (auto i = r.Integer(d, "validity: max_days")) {
                if (*i < 1 || *i > 3660) r.Report(d, "validity: max_days must be 1 to 3660");
                validity.max_days = static_cast<int>(*i);
            }
        if (auto d = vm.Node("expiring_soon_days"); d && !d.IsNull())
            if (auto i = r.Integer(d, "validity: expiring_soon_days")) {
                if (*i < 1 || *i > 365)
                    r.Report(d, "validity: expiring_soon_days must be 1 to 365");
                validity.expiring_soon_days = static_cast<int>(*i);
            }
        t.validity = std::move(validity);
    }
    if (auto v = m.Node("privileged_access"); v && !v.IsNull()) {
        FileReader::Map pm(r, v, "privileged_access");
        PrivilegedAccess pa;
        pa.system_field = pm.Text("system_field");
        pa.account_field = pm.Text("account_field");
        if (!pa.system_field.empty())
            RequireSingle(r, v, t, pa.system_field, FieldType::kSystem, "privileged_access");
        if (!pa.account_field.empty())
            RequireSingle(r, v, t, pa.account_field, FieldType::kText, "privileged_access");
        if (!t.validity)
            r.Report(v, "privileged_access: the type needs a validity period (the grant's window)");
        t.privileged_access = std::move(pa);
    }

    auto chain = m.Seq("chain");
    if (chain.size() == 0 || chain.size() > 8)
        r.Report(root, "chain: an approval chain has 1 to 8 steps");
    for (const auto& s : chain) t.chain.push_back(ParseStep(r, s, t, ctx));
    return t;
}

}  // namespace mamori::policy
