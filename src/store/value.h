#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mamori::store {

/// Raw bytes, kept apart from text so each backend binds them as binary.
struct Blob {
    std::string bytes;
    bool operator==(const Blob&) const = default;
};

/// One bound parameter or one column value: NULL, integer, real, text or bytes.
/// Booleans are integers 0/1 in both backends.
class Value {
  public:
    using Variant = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

    Value() = default;
    Value(std::nullptr_t) {}
    Value(int v) : v_(static_cast<std::int64_t>(v)) {}
    Value(long v) : v_(static_cast<std::int64_t>(v)) {}
    Value(long long v) : v_(static_cast<std::int64_t>(v)) {}
    Value(unsigned v) : v_(static_cast<std::int64_t>(v)) {}
    Value(unsigned long v) : v_(static_cast<std::int64_t>(v)) {}
    Value(bool v) : v_(static_cast<std::int64_t>(v ? 1 : 0)) {}
    Value(double v) : v_(v) {}
    Value(std::string v) : v_(std::move(v)) {}
    Value(std::string_view v) : v_(std::string(v)) {}
    Value(const char* v) : v_(std::string(v)) {}
    Value(Blob v) : v_(std::move(v)) {}
    template <typename T>
    Value(const std::optional<T>& v) {
        if (v) *this = Value(*v);
    }

    bool IsNull() const { return std::holds_alternative<std::monostate>(v_); }
    const Variant& variant() const { return v_; }
    bool operator==(const Value&) const = default;

  private:
    Variant v_;
};

/// One row of a result, already copied out of the backend. Typed getters throw
/// std::logic_error when the column holds another type: that is a bug in the caller's SQL.
class Row {
  public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

    std::size_t size() const { return values_.size(); }
    bool IsNull(std::size_t i) const { return At(i).IsNull(); }
    std::int64_t Int(std::size_t i) const;
    double Real(std::size_t i) const;
    const std::string& Text(std::size_t i) const;
    const std::string& Bytes(std::size_t i) const;
    bool Bool(std::size_t i) const { return Int(i) != 0; }
    std::optional<std::int64_t> OptInt(std::size_t i) const;
    std::optional<std::string> OptText(std::size_t i) const;
    const Value& At(std::size_t i) const;

  private:
    std::vector<Value> values_;
};

/// The full result of one statement.
struct ResultSet {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::int64_t affected = 0;  ///< Rows changed by INSERT/UPDATE/DELETE.

    bool empty() const { return rows.empty(); }
};

}  // namespace mamori::store
