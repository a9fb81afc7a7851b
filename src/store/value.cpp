#include "store/value.h"

#include <stdexcept>
#include <string>

namespace mamori::store {

const Value& Row::At(std::size_t i) const {
    if (i >= values_.size())
        throw std::logic_error("column index " + std::to_string(i) + " out of range");
    return values_[i];
}

template <typename T>
static const T& Get(const Value& v, std::size_t i, const char* want) {
    if (const T* p = std::get_if<T>(&v.variant())) return *p;
    throw std::logic_error("column " + std::to_string(i) + " is not " + want);
}

std::int64_t Row::Int(std::size_t i) const { return Get<std::int64_t>(At(i), i, "an integer"); }
double Row::Real(std::size_t i) const {
    const Value& v = At(i);
    if (const auto* n = std::get_if<std::int64_t>(&v.variant())) return static_cast<double>(*n);
    return Get<double>(v, i, "a real number");
}
const std::string& Row::Text(std::size_t i) const { return Get<std::string>(At(i), i, "text"); }
const std::string& Row::Bytes(std::size_t i) const { return Get<Blob>(At(i), i, "bytes").bytes; }

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Int(i);
}
std::optional<std::string> Row::OptText(std::size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Text(i);
}

}  // namespace mamori::store
