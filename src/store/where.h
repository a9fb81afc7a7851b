#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "store/value.h"

namespace mamori::store {

/// Builds the WHERE clause of a filtered list: conditions joined with AND, each with the
/// values of its `?` placeholders, so list queries stay parameterised however many filters
/// a request sets.
///
///   Where w;
///   if (!status.empty()) w.Add("status = ?", {status});
///   db.Query("SELECT … FROM people" + w.Sql() + " ORDER BY username LIMIT ?", w.With(limit));
class Where {
  public:
    /// Adds a condition; `values` must match its placeholders in number and order.
    Where& Add(const std::string& condition, std::initializer_list<Value> values = {}) {
        sql_ += (sql_.empty() ? " WHERE " : " AND ") + condition;
        params_.insert(params_.end(), values.begin(), values.end());
        return *this;
    }
    /// As above, with the values in a vector (for conditions built at run time).
    Where& Add(const std::string& condition, const std::vector<Value>& values) {
        sql_ += (sql_.empty() ? " WHERE " : " AND ") + condition;
        params_.insert(params_.end(), values.begin(), values.end());
        return *this;
    }
    /// Adds `column IN (?, …)` for a non-empty list of values.
    Where& AddIn(const std::string& column, const std::vector<std::string>& values) {
        std::string marks;
        for (std::size_t i = 0; i < values.size(); ++i) marks += i ? ", ?" : "?";
        sql_ += (sql_.empty() ? " WHERE " : " AND ") + column + " IN (" + marks + ")";
        for (const auto& v : values) params_.emplace_back(v);
        return *this;
    }
    /// " WHERE …", or "" when nothing was added.
    const std::string& Sql() const { return sql_; }
    /// The parameters so far, followed by `tail` (for placeholders after the WHERE clause).
    std::vector<Value> With(std::initializer_list<Value> tail = {}) const {
        std::vector<Value> all = params_;
        all.insert(all.end(), tail.begin(), tail.end());
        return all;
    }

  private:
    std::string sql_;
    std::vector<Value> params_;
};

}  // namespace mamori::store
