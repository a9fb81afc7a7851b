#include "http/router.h"

#include <stdexcept>

namespace mamori::http {

std::vector<std::string> SplitPattern(std::string_view pattern) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] == '/') {
            ++i;
            continue;
        }
        std::size_t j = pattern.find('/', i);
        if (j == std::string_view::npos) j = pattern.size();
        out.emplace_back(pattern.substr(i, j - i));
        i = j;
    }
    return out;
}

namespace {
bool IsParam(const std::string& part) {
    return part.size() > 2 && part.front() == '{' && part.back() == '}';
}
}  // namespace

void Router::Add(Route route) {
    Compiled c{SplitPattern(route.pattern)};
    for (std::size_t i = 0; i < routes_.size(); ++i)
        if (routes_[i].method == route.method && compiled_[i].parts == c.parts)
            throw std::logic_error("duplicate route " + route.pattern);
    if (route.permission.empty())
        throw std::logic_error("route " + route.pattern + " names no permission");
    routes_.push_back(std::move(route));
    compiled_.push_back(std::move(c));
}

Router::Match Router::Find(Method method, const std::vector<std::string>& segments) const {
    Match best;
    int best_literals = -1;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const auto& parts = compiled_[i].parts;
        if (parts.size() != segments.size()) continue;
        int literals = 0;
        bool ok = true;
        for (std::size_t s = 0; s < parts.size() && ok; ++s) {
            if (IsParam(parts[s])) {
                ok = !segments[s].empty();
            } else {
                ok = parts[s] == segments[s];
                ++literals;
            }
        }
        if (!ok) continue;
        const bool method_ok = routes_[i].method == method ||
                               (method == Method::kHead && routes_[i].method == Method::kGet);
        if (!method_ok) {
            best.path_known = true;
            const std::string name(MethodName(routes_[i].method));
            if (best.allow.find(name) == std::string::npos)
                best.allow += (best.allow.empty() ? "" : ", ") + name;
            continue;
        }
        if (literals <= best_literals) continue;
        best_literals = literals;
        best.route = &routes_[i];
        best.params.clear();
        for (std::size_t s = 0; s < parts.size(); ++s)
            if (IsParam(parts[s]))
                best.params.emplace_back(parts[s].substr(1, parts[s].size() - 2), segments[s]);
    }
    return best;
}

}  // namespace mamori::http
