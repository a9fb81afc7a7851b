#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "policy/catalog.h"

namespace mamori::policy {

// The policy catalog as an OSCAL catalog (JSON), for tools that read NIST's format.
//
// Mapping (the export is checked against NIST's OSCAL 1.1.3 catalog JSON schema by the
// oscal_schema test, tests/oscal/):
//
//   catalog.uuid            OscalOptions::uuid, or DerivedUuid(city + version)
//   metadata.title          policy.yaml title          version  policy.yaml version
//   metadata.published      effective date, 00:00 JST  last-modified  option, else published
//   metadata.revisions      policy.yaml revisions, newest first (version = the revision's
//                           date, title = "令和8年3月23日 一部改正")
//   metadata.roles          roles.yaml: id = role key, title = Japanese name
//   metadata.props          city, effective-date, answer-option (ns kOscalNamespace)
//   metadata.remarks        序文 and 情報セキュリティポリシーの構成, verbatim
//   groups[0]               第1章 基本方針: group "basic-policy" holding one part per item
//                           (name "basic-policy-item", id "bp" + ref: 2(1) → "bp2.1"),
//                           sub-items as nested parts, the closing text as a "closing" part.
//                           Parts, not controls, because 基本方針 states principles and
//                           nothing is assessed against it directly.
//   groups[1..]             第2章 対策基準: one group per chapter, one per section.
//
// Ids of 第2章 (OscalId): "s" + the ref with "(n)" written ".n", so they match OSCAL's token
// pattern ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$ and stay readable:
//
//   chapter 8 → group "s8"   section 8-2 → group "s8-2"   sub-item 8-2(6) → control "s8-2.6"
//   chapter sub-item 3(8) → control "s3.8"   leaf section 6-3 → control "s6-3"
//
// A node with children is a group; a node without children (a requirement) is a control.
// OSCAL lets a group hold groups or controls but not both, so a leaf beside groups (section
// 6-3 beside 6-1 and 6-2, or chapter 1 趣旨 at the top) is wrapped in a group of its own with
// id "g" + the control's id without its "s" ("g6-3", "g1") and the same title and label.
//
// Each control: class "requirement"; props label (the seed's ref, e.g. "8-2(6)") and sort-id
// (OSCAL's names), responsible-role (role key) and implemented-by (capability key or
// "manual", class = available | planned | manual, remarks = the capability's name), both in
// kOscalNamespace; links rel "related" to "#" + the related control's id; parts statement
// (the requirement), guidance (typical evidence, a Markdown list), assessment-objective (the
// self-check questions as nested objectives, answered with policy.yaml's answer_options) and
// assessment-method INTERVIEW (NIST's rmf namespace) whose assessment-objects are the roles.
// Part ids: control id + "_smt", "_gdn", "_obj", "_obj.N", "_asm", "_asm.obj".
// Text is UTF-8 as written in the catalog; only surrounding blank lines are trimmed.

/// The namespace of mamori's own props and parts.
inline constexpr std::string_view kOscalNamespace = "https://mamori.example/ns/oscal";
/// The OSCAL version the export is written against: the schema the tests validate with.
inline constexpr std::string_view kOscalVersion = "1.1.3";

struct OscalOptions {
    /// catalog.uuid; empty → DerivedUuid(city + version), so the same version always gets
    /// the same uuid. When given it must be a version 4 or 5 UUID (OSCAL's pattern).
    std::string uuid;
    /// metadata.last-modified, RFC 3339 with a time zone; empty → the effective date at
    /// 00:00 JST, so the export of a version is reproducible.
    std::string last_modified;
};

/// OSCAL id of a 第2章 ref: "8" → "s8", "8-2" → "s8-2", "8-2(6)" → "s8-2.6", "3(8)" → "s3.8".
/// Characters outside [A-Za-z0-9.-_] (none in the seed's numbering) become "_".
std::string OscalId(std::string_view ref);

/// A version 5-style UUID (RFC 4122 variant) from the first 16 bytes of SHA-256(name).
std::string DerivedUuid(std::string_view name);

/// The catalog as an OSCAL catalog document, {"catalog": {...}}. Pure; thread-safe.
boost::json::value ToOscal(const Catalog& c, const OscalOptions& o = {});

}  // namespace mamori::policy
