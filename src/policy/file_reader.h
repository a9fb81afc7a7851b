#pragma once

// Internal to src/policy: reading the catalog's YAML files with every problem noted at its
// file and line.

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "policy/catalog.h"

namespace mamori::policy {

// Reads one YAML file's nodes, noting every problem with its file and line. Each map is
// read through Map(), which reports keys that nothing asked for.
class FileReader {
  public:
    FileReader(std::string file, std::vector<Problem>& problems)
        : file_(std::move(file)), problems_(problems) {}

    const std::string& file() const { return file_; }

    void Report(const YAML::Node& at, std::string message) {
        const int line = at && !at.Mark().is_null() ? at.Mark().line + 1 : 0;
        problems_.push_back({file_, line, std::move(message)});
    }

    /// A whole number written in YAML, or nullopt (with a problem noted).
    std::optional<long long> Integer(const YAML::Node& n, const std::string& what) {
        static const std::regex kInt(R"(-?[0-9]{1,15})");
        if (!n.IsScalar() || !std::regex_match(n.Scalar(), kInt)) {
            Report(n, what + " must be a whole number");
            return std::nullopt;
        }
        return std::stoll(n.Scalar());
    }

    /// true or false written in YAML, or nullopt (with a problem noted).
    std::optional<bool> Boolean(const YAML::Node& n, const std::string& what) {
        if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false"))
            return n.Scalar() == "true";
        Report(n, what + " must be true or false");
        return std::nullopt;
    }

    /// A map's fields, each taken at most once; Done() reports the rest as unknown.
    class Map {
      public:
        Map(FileReader& r, const YAML::Node& node, std::string what)
            : r_(r), node_(node), what_(std::move(what)) {
            if (!node_.IsMap()) r_.Report(node_, what_ + ": must be a mapping");
        }
        ~Map() { Done(); }

        YAML::Node Node(const std::string& key) {
            taken_.insert(key);
            return node_.IsMap() ? node_[key] : YAML::Node();
        }

        std::string Text(const std::string& key, bool required = true) {
            auto n = Node(key);
            if (!n || n.IsNull()) {
                if (required) r_.Report(node_, fmt::format("{}: `{}` is missing", what_, key));
                return {};
            }
            if (!n.IsScalar()) {
                r_.Report(n, fmt::format("{}: `{}` must be text", what_, key));
                return {};
            }
            std::string s = n.Scalar();
            if (required && s.empty())
                r_.Report(n, fmt::format("{}: `{}` must not be empty", what_, key));
            return s;
        }

        std::vector<std::string> List(const std::string& key, bool required = true) {
            std::vector<std::string> out;
            auto n = Node(key);
            if (!n || n.IsNull()) {
                if (required) r_.Report(node_, fmt::format("{}: `{}` is missing", what_, key));
                return out;
            }
            if (!n.IsSequence()) {
                r_.Report(n, fmt::format("{}: `{}` must be a list", what_, key));
                return out;
            }
            for (const auto& e : n) {
                if (!e.IsScalar() || e.Scalar().empty()) {
                    r_.Report(e,
                              fmt::format("{}: `{}` entries must be non-empty text", what_, key));
                    continue;
                }
                out.push_back(e.Scalar());
            }
            return out;
        }

        YAML::Node Seq(const std::string& key, bool required = true) {
            auto n = Node(key);
            if (!n || n.IsNull()) {
                if (required) r_.Report(node_, fmt::format("{}: `{}` is missing", what_, key));
                return YAML::Node(YAML::NodeType::Sequence);
            }
            if (!n.IsSequence()) {
                r_.Report(n, fmt::format("{}: `{}` must be a list", what_, key));
                return YAML::Node(YAML::NodeType::Sequence);
            }
            return n;
        }

        void Done() {
            if (done_ || !node_.IsMap()) return;
            done_ = true;
            for (const auto& kv : node_) {
                const std::string k = kv.first.as<std::string>("");
                if (!taken_.count(k))
                    r_.Report(kv.first, fmt::format("{}: unknown key `{}`", what_, k));
            }
        }

      private:
        FileReader& r_;
        YAML::Node node_;
        std::string what_;
        std::set<std::string> taken_;
        bool done_ = false;
    };

  private:
    std::string file_;
    std::vector<Problem>& problems_;
};

/// What a request type's checks need from the rest of the catalog.
struct RequestTypeContext {
    const org::RoleCatalog* roles = nullptr;
    const ClassificationScheme* scheme = nullptr;                         ///< the scheme in force
    std::function<void(const YAML::Node&, const std::string&)> ref_used;  ///< checked later
};

/// Parses incidents.yaml (incident_rules.cpp), noting every problem.
IncidentRules ParseIncidentRules(FileReader& r, const YAML::Node& root);

/// Parses one requests/*.yaml (request_types.cpp), noting every problem.
RequestType ParseRequestType(FileReader& r, const YAML::Node& root, const RequestTypeContext& ctx);

}  // namespace mamori::policy
